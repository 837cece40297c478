"""华信能源集团: a power group's 2025 and 2026 target trees (53 indicators over the four branches).

The story the shortfall list tells: the second power company (GEN2) keeps missing its coal consumption
(供电煤耗), with its heat-value loss (入厂入炉热值差), auxiliary power (厂用电率) and, in 2026, profit following;
the supply company's stock turnover slips after the autumn of 2025; customer satisfaction drops after the
billing system change in April 2026; the data-centre move costs ICT its system availability from June 2026.
"""

from .build import AVG, DOWN, SUM, UP, Goal, Plan, Spec, Story, months

ALL = ("GEN1", "GEN2", "MAINT", "SUPPLY", "SALES", "ICT")
PLANTS = ("GEN1", "GEN2")
PRODUCTION = ("GEN1", "GEN2", "MAINT")

# The catalogue is a table: one indicator a line (or two), kept out of the formatter's way.
# fmt: off
GOALS = [
    Goal("core", "A1", "安全环保", "HQ", 3, [
        Spec("A1.1", "安全隐患整改率", "%", UP, AVG, ALL, 98, 96.5, "安全生产管理系统", 0.006),
        Spec("A1.2", "非计划停运次数", "次", DOWN, SUM, PLANTS, 3, 5, "生产实时监控系统（SIS）", places=0,
             weight=2, events=True),
        Spec("A1.3", "二氧化硫排放绩效", "g/kWh", DOWN, AVG, PLANTS, 0.10, 0.115, "环保在线监测系统", 0.05, 3),
        Spec("A1.4", "氮氧化物排放绩效", "g/kWh", DOWN, AVG, PLANTS, 0.16, 0.18, "环保在线监测系统", 0.04, 3),
        Spec("A1.5", "环保设施投运率", "%", UP, AVG, PLANTS, 99.5, 99.2, "环保在线监测系统", 0.0015, 2),
    ]),
    Goal("core", "A2", "经营效益", "HQ", 4, [
        Spec("A2.1", "营业收入", "万元", UP, SUM, ALL, None, 410000, "财务共享中心（SAP）", 0.03, 0, 2,
             per_unit={"GEN1": 198000, "GEN2": 126000, "MAINT": 32000, "SUPPLY": 24000, "SALES": 36000,
                       "ICT": 9600}),
        Spec("A2.2", "利润总额", "万元", UP, SUM, ALL, None, 25000, "财务共享中心（SAP）", 0.06, 0, 2,
             per_unit={"GEN1": 15600, "GEN2": 6000, "MAINT": 2400, "SUPPLY": 1200, "SALES": 1800, "ICT": 960}),
        Spec("A2.3", "成本费用利润率", "%", UP, AVG, ALL, 6.0, 5.6, "财务共享中心（SAP）", 0.05, 2,
             per_unit={"GEN2": 4.5, "ICT": 10}),
        Spec("A2.4", "应收账款周转天数", "天", DOWN, AVG, ("SALES", "MAINT", "ICT"), 45, 52,
             "财务共享中心（SAP）", 0.04, per_unit={"MAINT": 60}),
        Spec("A2.5", "全员劳动生产率", "万元/人", UP, SUM, ALL, 80, 88, "人力资源系统", 0.04, 2,
             per_unit={"GEN1": 180, "GEN2": 150, "MAINT": 60}),
    ]),
    Goal("core", "A3", "发电生产", "HQ", 3, [
        Spec("A3.1", "发电量", "万千瓦时", UP, SUM, PLANTS, None, 905000, "电能量计量系统", 0.04, 0, 2,
             per_unit={"GEN1": 620000, "GEN2": 330000}),
        Spec("A3.2", "供电煤耗", "g/kWh", DOWN, AVG, PLANTS, 298, 301.2, "生产实时监控系统（SIS）", 0.004,
             weight=3, per_unit={"GEN2": 304}),
        Spec("A3.3", "等效可用系数", "%", UP, AVG, PLANTS, 92, 91.3, "设备管理系统（EAM）", 0.02, 2),
        Spec("A3.4", "厂用电率", "%", DOWN, AVG, PLANTS, 4.6, 5.1, "电能量计量系统", 0.02, 2,
             per_unit={"GEN2": 5.4}),
        Spec("A3.5", "发电设备利用小时", "小时", UP, SUM, PLANTS, 4700, 4520, "电能量计量系统", 0.05, 0),
    ]),
    Goal("priority", "B1", "精益管理", "LEAN", 2, [
        Spec("B1.1", "精益改善提案数", "件", UP, SUM, ALL, 96, 70, "精益管理平台", 0.12, 0,
             per_unit={"GEN1": 150, "GEN2": 150}),
        Spec("B1.2", "改善项目结题率", "%", UP, AVG, ALL, 85, 78, "精益管理平台", 0.03),
        Spec("B1.3", "精益培训覆盖率", "%", UP, AVG, ALL, 90, 82, "培训管理系统", 0.02),
    ]),
    Goal("priority", "B2", "节能降碳", "HQ", 3, [
        Spec("B2.1", "综合节能量", "吨标准煤", UP, SUM, PLANTS, None, 14000, "能源管理系统", 0.08, 0,
             per_unit={"GEN1": 9600, "GEN2": 7200}),
        Spec("B2.2", "碳排放强度", "kgCO₂/kWh", DOWN, AVG, PLANTS, 0.82, 0.852, "碳排放管理系统", 0.008, 3,
             per_unit={"GEN2": 0.86}),
        Spec("B2.3", "供热量", "万吉焦", UP, SUM, PLANTS, None, 400, "热网计量系统", 0.06,
             per_unit={"GEN1": 260, "GEN2": 180}),
    ]),
    Goal("priority", "B3", "设备治理", "MAINT", 2, [
        Spec("B3.1", "检修计划完成率", "%", UP, AVG, PRODUCTION, 95, 93, "设备管理系统（EAM）", 0.015),
        Spec("B3.2", "设备缺陷消除率", "%", UP, AVG, PRODUCTION, 98, 96.8, "设备管理系统（EAM）", 0.006),
        Spec("B3.3", "检修返工率", "%", DOWN, AVG, ("MAINT",), 1.5, 2.1, "设备管理系统（EAM）", 0.08, 2),
        Spec("B3.4", "设备完好率", "%", UP, AVG, PLANTS, 98.5, 98.1, "设备管理系统（EAM）", 0.004, 2),
    ]),
    Goal("priority", "B4", "数字化转型", "ICT", 2, [
        Spec("B4.1", "数据自动采集率", "%", UP, AVG, ALL, 90, 84, "数据中台", 0.015),
        Spec("B4.2", "线上业务办理率", "%", UP, AVG, ("SALES", "SUPPLY"), 85, 76, "网上营业厅、电子采购平台",
             0.02),
        Spec("B4.3", "智能巡检覆盖率", "%", UP, AVG, PRODUCTION, 80, 62, "智能巡检平台", 0.03, since=2026),
    ]),
    Goal("business", "C1", "电力营销", "SALES", 3, [
        Spec("C1.1", "售电量", "亿千瓦时", UP, SUM, ("SALES",), 96, 89.5, "电力交易平台", 0.04, 2, 2),
        Spec("C1.2", "市场化交易电量占比", "%", UP, AVG, ("SALES",), 82, 78, "电力交易平台", 0.02),
        Spec("C1.3", "电费回收率", "%", UP, AVG, ("SALES",), 99.8, 99.6, "营销业务系统", 0.001, 2),
        Spec("C1.4", "客户满意度", "分", UP, AVG, ("SALES", "MAINT", "ICT"), 92, 90.5, "第三方满意度调查",
             0.012),
        Spec("C1.5", "平均上网电价", "元/兆瓦时", UP, AVG, PLANTS, 435, 428, "电力交易平台", 0.01),
    ]),
    Goal("business", "C2", "燃料管理", "SUPPLY", 3, [
        Spec("C2.1", "标煤单价", "元/吨", DOWN, AVG, PLANTS, 930, 968, "燃料管理系统", 0.015, weight=2,
             per_unit={"GEN2": 945}),
        Spec("C2.2", "入厂入炉热值差", "kJ/kg", DOWN, AVG, PLANTS, 420, 460, "燃料管理系统", 0.05, 0),
        Spec("C2.3", "燃煤库存可用天数", "天", UP, AVG, PLANTS, 15, 13, "燃料管理系统", 0.06),
    ]),
    Goal("business", "C3", "检修服务", "MAINT", 2, [
        Spec("C3.1", "外部检修合同额", "万元", UP, SUM, ("MAINT",), 12000, 10500, "合同管理系统", 0.12, 0),
        Spec("C3.2", "检修工期达标率", "%", UP, AVG, ("MAINT",), 95, 92, "设备管理系统（EAM）", 0.015),
    ]),
    Goal("business", "C4", "物资供应", "SUPPLY", 2, [
        Spec("C4.1", "采购成本降低率", "%", UP, AVG, ("SUPPLY", "GEN1", "GEN2"), 3.0, 2.4, "电子采购平台",
             0.06, 2),
        Spec("C4.2", "库存周转天数", "天", DOWN, AVG, ("SUPPLY", "GEN1", "GEN2", "MAINT"), 60, 68,
             "ERP物资模块", 0.04, per_unit={"SUPPLY": 45}),
        Spec("C4.3", "物资供应及时率", "%", UP, AVG, ("SUPPLY",), 98, 96.5, "ERP物资模块", 0.006),
        Spec("C4.4", "集中采购率", "%", UP, AVG, ("SUPPLY", "GEN1", "GEN2", "MAINT", "ICT"), 92, 88,
             "电子采购平台", 0.01),
    ]),
    Goal("support", "D1", "人力资源", "HQ", 2, [
        Spec("D1.1", "员工培训完成率", "%", UP, AVG, ALL, 95, 93, "人力资源系统", 0.01),
        Spec("D1.2", "关键岗位持证上岗率", "%", UP, AVG, PRODUCTION, 100, 98.6, "人力资源系统", 0.004),
        Spec("D1.3", "人工成本利润率", "%", UP, AVG, ALL, 28, 25, "人力资源系统", 0.04),
    ]),
    Goal("support", "D2", "财务管理", "HQ", 2, [
        Spec("D2.1", "预算执行偏差率", "%", DOWN, AVG, ALL, 5, 6.2, "全面预算管理系统", 0.1, 2),
        Spec("D2.2", "资金集中度", "%", UP, AVG, ALL, 95, 93, "司库管理系统", 0.01),
        Spec("D2.3", "管理费用占收入比", "%", DOWN, AVG, ALL, 4.5, 4.9, "财务共享中心（SAP）", 0.04, 2,
             per_unit={"ICT": 8}),
    ]),
    Goal("support", "D3", "信息化保障", "ICT", 2, [
        Spec("D3.1", "信息系统可用率", "%", UP, AVG, ("ICT", "GEN1", "GEN2", "SALES"), 99.9, 99.8,
             "运维监控平台", 0.0005, 2, 2),
        Spec("D3.2", "IT服务工单按时解决率", "%", UP, AVG, ("ICT",), 95, 92, "IT服务管理系统", 0.012),
        Spec("D3.3", "网络安全漏洞整改及时率", "%", UP, AVG, ("ICT",), 98, 95, "网络安全态势感知平台", 0.008),
    ]),
    Goal("support", "D4", "综合管理", "HQ", 1, [
        Spec("D4.1", "公文办理及时率", "%", UP, AVG, ALL, 98, 96, "协同办公系统", 0.006),
        Spec("D4.2", "合同履约率", "%", UP, AVG, ("SUPPLY", "SALES", "MAINT"), 99, 98.2, "合同管理系统", 0.004),
    ]),
]
# fmt: on

# 2026: a tighter coal target, 6% more revenue, leaner stock, more proposals; energy saving weighs more.
CHANGES_2026 = {
    "A3.2": {"*": 296, "GEN2": 302},
    "A3.4": {"GEN2": 5.3},
    "A2.1": {"GEN1": 210000, "GEN2": 133000, "MAINT": 34000, "SUPPLY": 25500, "SALES": 38000, "ICT": 10500},
    "C4.1": {"*": 3.5},
    "C4.2": {"*": 55, "SUPPLY": 40},
    "B1.1": {"*": 120},
}

COAL_MONTHS = months("2025-05..2025-10", "2025-12..2026-01", "2026-03..2026-10")
GEN2_TRIPS = months("2025-04", "2025-11", "2026-01", "2026-05", "2026-08")
GEN1_TRIPS = months("2025-02", "2025-08", "2026-07", "2026-09")
OVERHAULS = months("2025-03..2025-05", "2025-09..2025-11", "2026-03..2026-05", "2026-09..2026-10")
DC_MOVE = months("2026-06..2026-10")

STORIES = [
    # GEN2's coal: consumption, carbon intensity and energy saving miss together; costs and profit follow.
    Story("GEN2", "A3.2", COAL_MONTHS, 2.2),
    Story("GEN2", "B2.2", COAL_MONTHS),
    Story("GEN2", "B2.1", months("2025-06..2025-12", "2026-04..2026-10")),
    Story("GEN2", "C2.2", months("2025-07..2025-08", "2025-10", "2025-12..2026-01", "2026-03", "2026-06..2026-10")),
    Story("GEN2", "C2.1", months("2025-09..2026-10"), 1.2),
    Story("GEN2", "C2.3", months("2025-12..2026-02", "2026-07..2026-08")),
    Story("GEN2", "A3.4", months("2025-06..2025-09", "2026-05..2026-10")),
    Story("GEN2", "A2.2", months("2025-10..2025-12", "2026-02..2026-10")),
    Story("GEN2", "A2.3", months("2026-02..2026-10")),
    # Less efficient, GEN2 is dispatched less in 2026.
    Story("GEN2", "A3.1", months("2026-03..2026-10"), 1.5),
    Story("GEN2", "A3.5", months("2026-03..2026-10"), 1.5),
    # Unplanned outages, and the availability they cost.
    Story("GEN2", "A1.2", GEN2_TRIPS),
    Story("GEN2", "A3.3", GEN2_TRIPS, 2),
    Story("GEN1", "A1.2", GEN1_TRIPS),
    Story("GEN1", "A3.3", GEN1_TRIPS, 2),
    # Stock grows after the autumn of 2025 and the 2026 target is tighter.
    Story("SUPPLY", "C4.2", months("2025-09..2026-10")),
    Story("GEN2", "C4.2", months("2026-01..2026-10")),
    Story("MAINT", "C4.2", months("2026-04..2026-10")),
    Story("SUPPLY", "C4.3", months("2026-03..2026-10")),
    Story("SUPPLY", "C4.1", months("2026-01..2026-10"), 1),
    # The billing system change of April 2026.
    Story("SALES", "C1.4", months("2026-04..2026-10"), 1.8),
    Story("SALES", "A2.4", months("2025-12..2026-10")),
    Story("SALES", "C1.2", months("2025-01..2025-06")),
    # Overhaul seasons stretch the maintenance company.
    Story("MAINT", "B3.1", OVERHAULS),
    Story("MAINT", "C3.2", OVERHAULS),
    Story("MAINT", "B3.3", months("2025-09..2025-11", "2026-04..2026-08")),
    Story("MAINT", "C1.4", months("2026-05..2026-09")),
    # The data-centre move.
    Story("ICT", "D3.1", DC_MOVE, 3),
    Story("SALES", "D3.1", months("2026-07..2026-10"), 2),
    Story("ICT", "D3.2", DC_MOVE),
    Story("ICT", "C1.4", DC_MOVE),
]

ANALYSES = {
    ("GEN2", "A3.2"): [
        (
            "{period}供电煤耗{actual} g/kWh，高于目标{target} g/kWh。#3机组空预器差压持续偏高，排烟温度较设计值高约"
            "11℃；入炉煤热值偏低，且50%以下低负荷运行时间占比达38%，机组经济性下降。",
            "1. 11月调停期间对#3机组空预器进行高压水冲洗，更换部分蓄热元件；\n2. 开展低负荷燃烧优化调整试验，优化"
            "滑压运行曲线；\n3. 加强配煤掺烧，入炉煤热值不低于4800 kcal/kg；\n4. 成立供电煤耗专项攻关组（运行部主任"
            "牵头），每周通报。",
        ),
        (
            "{period}供电煤耗{actual} g/kWh，目标{target} g/kWh。凝汽器真空度较去年同期下降0.8 kPa，胶球清洗收球率"
            "不足80%；吹灰优化未落实到位。",
            "1. 胶球清洗系统消缺，收球率恢复到95%以上；\n2. 修订吹灰规程，按受热面差压智能吹灰；\n3. 煤耗指标分解"
            "到值，纳入值际竞赛。",
        ),
        (
            "{period}供电煤耗{actual} g/kWh，未达目标{target} g/kWh。迎峰度夏期间机组频繁参与深度调峰，启停和低负荷"
            "工况多，汽轮机通流效率下降。",
            "1. 与调度沟通优化负荷分配，减少深度调峰时段；\n2. 申报#3机组通流改造，列入明年技改计划；\n3. 运行部每日"
            "分析小指标偏差。",
        ),
    ],
    ("GEN2", "C2.2"): [
        (
            "{period}入厂入炉热值差{actual} kJ/kg，超出目标{target} kJ/kg。煤场平均存煤时间27天，自燃和风化造成热值"
            "损失；入炉煤机械采样代表性不足。",
            "1. 执行“烧旧存新”，存煤超过20天优先上仓；\n2. 入炉煤采样装置大修并开展采样比对试验；\n3. 燃料部与"
            "物资供应公司联合核查来煤质量，对亏卡煤按合同扣罚。",
        ),
        (
            "{period}热值差{actual} kJ/kg（目标{target} kJ/kg）。雨季来煤水分大，入厂与入炉化验间隔时间长。",
            "1. 增设干煤棚苫盖，雨天优先燃用棚内煤；\n2. 入厂、入炉同批次留样互检；\n3. 上线智能采制化系统，减少人工"
            "干预。",
        ),
    ],
    ("GEN2", "A3.4"): [
        (
            "{period}厂用电率{actual}%，高于目标{target}%。负荷率偏低，引风机、循环水泵定速运行，辅机电耗占比升高。",
            "1. 实施#3、#4机组循环水泵高低速改造；\n2. 引风机变频改造列入年度技改，12月底前完成；\n3. 低负荷时辅机"
            "单列运行。",
        ),
        (
            "{period}厂用电率{actual}%（目标{target}%）。高温天气冷却塔风机全开，脱硫浆液循环泵多台运行。",
            "1. 按入口SO₂浓度动态调整浆液循环泵台数；\n2. 冷却塔风机按水温分级启停；\n3. 每月开展厂用电对标分析。",
        ),
    ],
    ("SUPPLY", "C4.2"): [
        (
            "{period}库存周转天数{actual}天，高于目标{target}天。一年以上未动用的呆滞物资占库存金额21%，部分备品备件"
            "储备定额偏高，各单位重复储备。",
            "1. 开展呆滞物资专项清理，年底前处置或调剂不少于800万元；\n2. 修订储备定额，推行发电公司与物资公司联储"
            "联备；\n3. 通用备件推行供应商寄售。",
        ),
        (
            "{period}库存周转天数{actual}天（目标{target}天）。秋检备件提前集中到货，入库量大于领用量。",
            "1. 按检修计划分批到货，合同约定交货节点；\n2. 每月发布各单位库存周转排名；\n3. ERP增加超储预警。",
        ),
    ],
    ("SALES", "C1.4"): [
        (
            "{period}客户满意度{actual}分，低于目标{target}分。4月营销系统切换后电费账单差错投诉增加，回访中“办电时长”"
            "“信息告知”两项得分最低。",
            "1. 成立账单质量专项小组，每日核查异常账单；\n2. 业扩报装全流程线上办理，办电时长压缩到15个工作日以内；\n"
            "3. 停电和电价信息通过短信、公众号主动告知；\n4. 投诉客户100%回访。",
        ),
        (
            "{period}客户满意度{actual}分（目标{target}分）。客户经理人均服务大客户数偏多，诉求响应不及时。",
            "1. 调整客户经理配置，实行大客户分级服务；\n2. 建立投诉24小时响应、72小时办结机制。",
        ),
    ],
    ("MAINT", "B3.1"): [
        (
            "{period}检修计划完成率{actual}%，低于目标{target}%。秋检任务集中，外委队伍资质审核延迟，高压加热器管束"
            "等备件到货晚于计划。",
            "1. 提前两个月锁定外委队伍并完成安全准入；\n2. 关键备件列入物资供应公司重点催交清单；\n3. 检修计划按周"
            "滚动，未完成项目说明原因并重新排期。",
        ),
    ],
    ("ICT", "D3.1"): [
        (
            "{period}信息系统可用率{actual}%，低于目标{target}%。数据中心迁移期间核心交换机两次故障，ERP累计中断约"
            "9小时。",
            "1. 核心交换机双机热备改造，完成切换演练；\n2. 迁移操作统一安排在周末窗口，提前发布变更公告；\n3. 完善"
            "监控告警，故障15分钟内响应。",
        ),
        (
            "{period}信息系统可用率{actual}%（目标{target}%）。营销系统数据库性能不足，月底结算高峰多次超时。",
            "1. 数据库扩容并读写分离；\n2. 结算批处理错峰运行；\n3. 与厂商签订驻场保障协议。",
        ),
    ],
    ("GEN2", "A2.2"): [
        (
            "{period}利润总额{actual}万元，低于目标{target}万元。标煤单价同比上涨，燃料成本占营业成本72%；供电煤耗"
            "偏高进一步推高成本。",
            "1. 优化采购结构，长协煤比例提高到80%；\n2. 与供电煤耗攻关联动，降低单位燃料成本；\n3. 积极争取辅助服务"
            "补偿收入。",
        ),
    ],
    ("GEN1", "A1.2"): [
        (
            "{period}发生非计划停运{actual}次（年度目标不超过3次）。#2机组给水泵汽轮机轴振突升跳闸，原因是轴承座"
            "紧固螺栓松动。",
            "1. 对同类设备紧固件开展专项排查；\n2. 修订给水泵汽轮机检修工艺卡，增加紧固力矩复核；\n3. 停运事件在月度"
            "安全分析会上通报。",
        ),
    ],
}

PLAN = Plan(
    lean_office="H0001",
    year=2025,
    goals=GOALS,
    last_month="2026-10",
    stories=STORIES,
    analyses=ANALYSES,
    assessed=[
        ("GEN2", "A3.2"),
        ("GEN2", "C2.2"),
        ("GEN2", "A3.4"),
        ("GEN2", "A2.2"),
        ("GEN1", "A1.2"),
        ("SUPPLY", "C4.2"),
        ("SALES", "C1.4"),
        ("ICT", "D3.1"),
    ],
    copy_year=2026,
    changes=CHANGES_2026,
    weights={"B2": 4},
    episodes=45,
    seed=20251,
)
