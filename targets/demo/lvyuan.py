"""绿源水务: a small water company's 2026 target tree (10 indicators). Its story: leakage in the old town's
cast-iron mains pushes up the network loss rate from May, and the non-revenue water rate follows."""

from .build import AVG, DOWN, SUM, UP, Goal, Plan, Spec, Story, months

# fmt: off
GOALS = [
    Goal("core", "A1", "供水保障", "HQ", 3, [
        Spec("A1.1", "供水量", "万立方米", UP, SUM, ("PLANT1",), 3800, 3620, "生产调度系统", 0.04, weight=2),
        Spec("A1.2", "水质综合合格率", "%", UP, AVG, ("PLANT1",), 99.5, 99.3, "水质在线监测系统", 0.002, 2, 2),
    ]),
    Goal("core", "A2", "经营效益", "HQ", 2, [
        Spec("A2.1", "供水产销差率", "%", DOWN, AVG, ("NET",), 12, 14.8, "营收系统", 0.04, 2, 2),
        Spec("A2.2", "水费回收率", "%", UP, AVG, ("HQ",), 98, 97.1, "营收系统", 0.005, 2),
    ]),
    Goal("priority", "B1", "漏损治理", "NET", 3, [
        Spec("B1.1", "管网漏损率", "%", DOWN, AVG, ("NET",), 9, 10.6, "DMA分区计量系统", 0.04, 2, 2),
        Spec("B1.2", "漏点修复及时率", "%", UP, AVG, ("NET",), 95, 91, "管网巡检系统", 0.02),
    ]),
    Goal("business", "C1", "制水生产", "PLANT1", 2, [
        Spec("C1.1", "单位制水电耗", "kWh/千立方米", DOWN, AVG, ("PLANT1",), 285, 296, "能耗监测系统", 0.02),
        Spec("C1.2", "药剂单耗", "kg/千立方米", DOWN, AVG, ("PLANT1",), 18, 19.5, "生产调度系统", 0.04, 2),
    ]),
    Goal("support", "D1", "综合管理", "HQ", 1, [
        Spec("D1.1", "客户投诉办结率", "%", UP, AVG, ("HQ", "NET"), 98, 96, "客服热线系统", 0.008),
        Spec("D1.2", "员工培训完成率", "%", UP, AVG, ("HQ", "PLANT1", "NET"), 95, 93, "人力资源系统", 0.01),
    ]),
]
# fmt: on

PLAN = Plan(
    lean_office="L0001",
    year=2026,
    goals=GOALS,
    last_month="2026-10",
    stories=[
        Story("NET", "B1.1", months("2026-05..2026-10"), 1.8),
        Story("NET", "A2.1", months("2026-06..2026-10")),
    ],
    analyses={
        ("NET", "B1.1"): [
            (
                "{period}管网漏损率{actual}%，高于目标{target}%。老城区1990年前敷设的铸铁管爆管频发，有4个DMA分区"
                "夜间最小流量明显偏高。",
                "1. 对4个高漏损DMA分区开展听漏检漏；\n2. 年内完成老旧管网改造12公里；\n3. 推行压力分区管理，夜间"
                "降压运行。",
            ),
        ],
    },
    assessed=[("NET", "B1.1")],
    episodes=2,
    seed=20261,
)
