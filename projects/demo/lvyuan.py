"""绿源水务: three small unit-tier projects, one closed, one running against the leakage shortfall, one draft."""

from projects.models import State

from .build import UNIT, Plan, Spec

ASSESSMENTS = {
    "PLANT1": (
        "制水工艺运行稳定，能耗和药耗按日计量，生产调度系统数据完整。",
        "工艺、设备、化验人员齐全，有两名高级工程师。",
    ),
    "NET": (
        "已完成主城区DMA分区计量，漏点修复实行工单闭环。",
        "管网巡检、听漏检漏班组经验丰富。",
    ),
}

# fmt: off
PROJECTS = [
    Spec("LA", "NET", UNIT, "老城区DMA分区漏损治理",
         "老城区1990年前敷设的铸铁管爆管频发，4个DMA分区夜间最小流量明显偏高，管网漏损率高于目标。",
         "04-15", State.IN_PROGRESS, (("B1.1", 0.12), ("A2.1", 0.08)),
         ("高漏损分区听漏检漏", "夜间压力分区调控", "老旧管网改造排序"),
         team=2, benefit=120, quality="漏损率降低1个百分点"),
    Spec("LB", "PLANT1", UNIT, "降低单位制水电耗",
         "二级泵房水泵长期工频运行，出厂压力偏高，单位制水电耗高于目标。",
         "01-20", State.CLOSED, (("C1.1", 0.03),),
         ("二级泵房变频改造", "出厂压力按时段优化"),
         team=3, benefit=45, quality="单位制水电耗降低9 kWh/千立方米"),
    Spec("LC", "PLANT1", UNIT, "混凝剂精准投加控制",
         "混凝剂按经验投加，原水浊度变化时药剂单耗波动大。",
         "11-10", State.DRAFT, (("C1.2", 0.05),),
         ("在线浊度联动投加", "烧杯试验校核投加曲线"),
         team=3, benefit=18),
]
# fmt: on

PLAN = Plan(year=2026, lean_office="L0001", assessments=ASSESSMENTS, projects=PROJECTS, seed=20263)
