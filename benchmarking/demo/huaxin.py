"""华信能源集团: 12 benchmark indicators of the 2026 tree, compared with five outside peers since 2025.

The story the board tells: the second power company (GEN2) sits in the worst quartile of coal consumption
(供电煤耗) and auxiliary power (厂用电率) in every quarter, of carbon intensity (碳排放强度) in most months and of
heat-value loss (入厂入炉热值差) since the summer of 2025; receivables keep the maintenance company (MAINT) at the
bottom, and SALES joins it after the billing change; stock turnover puts GEN2 and MAINT last from the second
quarter of 2026; the data-centre move puts ICT last in system availability. GEN2 and SUPPLY proposed two
indicators themselves (both accepted), SALES had one declined and MAINT waits for a decision; the managers
recorded what the better peers do, and GEN2 learned from GEN1.
"""

from datetime import date

from .build import (
    ACCEPTED,
    DECLINED,
    ENTERPRISE,
    HIGH,
    INDUSTRY,
    LEAN_OFFICE,
    LOW,
    MEDIUM,
    MONTH,
    PENDING,
    PROPOSAL,
    QUARTER,
    SHORTFALL,
    YEAR,
    BenchmarkSpec,
    PeerSpec,
    Plan,
    PracticeSpec,
    ProposalSpec,
)

PEERS = [
    PeerSpec(
        "guoneng",
        "国家能源集团某标杆电厂",
        ENTERPRISE,
        "2×1000MW超超临界燃煤机组，国家能源集团火电对标标杆企业",
        "国家能源集团火电对标交流会",
        MEDIUM,
        "国家能源集团某标杆电厂2025年年报",
    ),
    PeerSpec(
        "huaneng",
        "华能某电厂",
        ENTERPRISE,
        "2×660MW超超临界燃煤机组，同区域电厂，设有售电公司",
        "华能某电厂对标数据交换",
        MEDIUM,
        "华能某电厂2025年年报",
    ),
    PeerSpec(
        "datang",
        "大唐某电厂",
        ENTERPRISE,
        "2×600MW亚临界燃煤机组，机组类型和煤种与第二发电公司相近",
        "区域电厂对标交流会",
        LOW,
        "大唐某电厂2025年社会责任报告",
        MEDIUM,
    ),
    PeerSpec(
        "average",
        "中电联行业平均",
        INDUSTRY,
        "中国电力企业联合会统计的全国6000千瓦及以上火电企业平均水平",
        "中电联统计快报",
        HIGH,
        "中电联《2025年电力工业统计资料汇编》",
    ),
    PeerSpec(
        "advanced",
        "行业先进值",
        INDUSTRY,
        "中电联火电机组能效对标发布的同类型机组先进值",
        "中电联火电机组能效对标发布",
        HIGH,
        "中电联《2025年度电力行业对标数据》",
    ),
]

POWER = ("guoneng", "huaneng", "datang", "average", "advanced")


def _levels(*pairs, peers=POWER) -> dict:
    """Each peer's (first period's level, last period's level), in the order of `peers`."""
    return dict(zip(peers, pairs, strict=True))


# fmt: off
BENCHMARKS = [
    # From the shortfall list, compared per quarter.
    BenchmarkSpec("A3.2", QUARTER, SHORTFALL,
                  _levels((284.6, 282.1), (290.3, 288.5), (298.4, 296.9), (303.2, 301.6), (279.5, 277.8)), 0.6, 1),
    BenchmarkSpec("A3.4", QUARTER, SHORTFALL,
                  _levels((3.95, 3.86), (4.28, 4.20), (4.85, 4.78), (5.21, 5.12), (3.62, 3.55)), 0.04, 2),
    BenchmarkSpec("A3.3", QUARTER, SHORTFALL,
                  _levels((94.8, 95.2), (93.6, 93.9), (92.6, 92.8), (91.6, 91.9), (95.6, 95.9)), 0.35, 2),
    BenchmarkSpec("C4.2", QUARTER, SHORTFALL,
                  _levels((36, 33), (42.5, 40), (57, 55), (60.5, 57.5), (31, 28)), 0.8, 1),
    BenchmarkSpec("C1.4", QUARTER, SHORTFALL,
                  _levels((94.2, 94.6), (92.6, 92.8), (91.9, 92.1), (95.6, 95.8),
                          peers=("huaneng", "datang", "average", "advanced")), 0.3, 1),
    BenchmarkSpec("A2.4", QUARTER, SHORTFALL,
                  _levels((31.5, 30.5), (36, 35), (42, 41), (46.5, 45.5), (27, 26)), 0.8, 1),
    # Per month: the availability of the business systems, and carbon, which the group reports monthly.
    BenchmarkSpec("D3.1", MONTH, SHORTFALL,
                  _levels((99.97, 99.98), (99.95, 99.96), (99.88, 99.90), (99.85, 99.86), (99.99, 99.99)), 0.01, 2),
    BenchmarkSpec("B2.2", MONTH, LEAN_OFFICE,
                  _levels((0.792, 0.787), (0.806, 0.802), (0.848, 0.842), (0.856, 0.851), (0.781, 0.776)), 0.003, 3),
    # Per year, from the annual reports.
    BenchmarkSpec("C4.1", YEAR, SHORTFALL, _levels((4.6, 4.6), (4.05, 4.05), (3.3, 3.3), (2.9, 2.9), (5.2, 5.2)), 0, 2),
    BenchmarkSpec("A2.3", YEAR, LEAN_OFFICE,
                  _levels((9.6, 9.6), (7.3, 7.3), (5.5, 5.5), (4.7, 4.7), (12.5, 12.5)), 0, 2),
    # Proposed by the units and accepted.
    BenchmarkSpec("C2.2", QUARTER, PROPOSAL,
                  _levels((285, 270), (330, 318), (396, 385), (428, 418), (255, 240)), 8, 0),
    BenchmarkSpec("C4.3", QUARTER, PROPOSAL,
                  _levels((99.4, 99.5), (99.0, 99.1), (98.3, 98.4), (97.6, 97.7), (99.7, 99.75)), 0.1, 2),
]
# fmt: on

PROPOSALS = [
    ProposalSpec(
        "H0201",
        "GEN2",
        "C2.2",
        "入厂入炉热值差是我公司供电煤耗偏高的主要原因之一，2025年下半年以来多次超过目标。希望与机组和煤种相近的电厂"
        "对比燃料采制化和煤场管理水平，找出差距。",
        "大唐某电厂、国家能源集团某标杆电厂",
        ACCEPTED,
        "同意，按季度对标。热值差与供电煤耗对标联动分析，燃料部每季度收集同类电厂数据。",
    ),
    ProposalSpec(
        "H0401",
        "SUPPLY",
        "C4.3",
        "2026年以来物资供应及时率下降，检修旺季备件到货不及时影响检修计划。希望对标其他发电集团物资公司的供应链"
        "协同做法。",
        "华能某电厂、中电联行业平均",
        ACCEPTED,
        "同意，按季度对标。请与库存周转天数一并分析，避免为提高及时率而增加库存。",
    ),
    ProposalSpec(
        "H0501",
        "SALES",
        "C1.2",
        "市场化交易电量占比是售电业务的关键指标，希望与其他发电集团的售电公司对比。",
        "华能某电厂售电公司",
        DECLINED,
        "暂不纳入。市场化交易比例主要取决于所在省份的电力市场政策和交易规则，跨省可比性差，外部数据也难以取得；"
        "建议先在客户满意度对标中关注交易服务质量。",
    ),
    ProposalSpec(
        "H0301",
        "MAINT",
        "B3.3",
        "秋检期间检修返工率偏高，希望与专业化检修公司对比质量验收和工艺纪律方面的做法。",
        "国家能源集团某标杆电厂检修公司",
        PENDING,
    ),
]

PRACTICES = [
    PracticeSpec(
        "H0201",
        "GEN2",
        "A3.2",
        "燃煤掺烧优化",
        "标杆电厂实行“分磨掺烧、炉前配煤”：按入炉煤热值、挥发分和灰熔点制定掺烧方案，每班根据负荷调整配煤比例；"
        "燃料、运行、化验三方每日会商，入炉煤热值偏差控制在±150 kJ/kg以内。低负荷时优先燃用高热值煤，稳燃的同时"
        "供电煤耗降低约1.5 g/kWh。",
        "国家能源集团火电对标交流会",
        date(2026, 4, 16),
        peer="guoneng",
    ),
    PracticeSpec(
        "H0201",
        "GEN2",
        "A3.4",
        "辅机变频与循环水泵高低速运行",
        "第一发电公司对引风机、凝结水泵实施变频改造，循环水泵按季节和循环水温切换高低速，低负荷时辅机单列运行，"
        "每月开展厂用电小指标分析；其厂用电率比我公司低约0.9个百分点。",
        "集团内部对标现场交流",
        date(2026, 5, 21),
        peer_unit="GEN1",
    ),
    PracticeSpec(
        "H0101",
        "GEN1",
        "A3.3",
        "点检定修",
        "华能某电厂推行点检定修制：设备按重要程度分为A、B、C三级，点检员按标准路线和周期点检，状态数据录入设备管理"
        "系统，依据劣化趋势安排检修；检修项目与点检结果挂钩，避免过修和欠修，非计划停运明显减少。",
        "华能某电厂现场调研",
        date(2026, 9, 17),
        peer="huaneng",
    ),
    PracticeSpec(
        "H0401",
        "SUPPLY",
        "C4.2",
        "库存ABC分类管理",
        "标杆电厂按占用金额和领用频次把物资分为A、B、C三类：A类重要备件定额储备、每月盘点，并与供应商签订寄售协议；"
        "B类按检修计划分批采购；C类低值易耗品由供应商直供现场。一年以上未动用的物资每季度评审，区域内电厂联储共享，"
        "库存周转天数保持在35天左右。",
        "国家能源集团物资管理对标交流会",
        date(2026, 3, 12),
        peer="guoneng",
    ),
    PracticeSpec(
        "H0501",
        "SALES",
        "C1.4",
        "客户诉求闭环管理",
        "华能某电厂售电公司实行客户诉求“首问负责、一单到底”：诉求统一登记，24小时内响应、72小时内办结，办结后"
        "回访；账单发出前由系统自动校验异常电量和电价，每月分析投诉热点并通报到责任部门。",
        "中电联电力客户服务对标交流会",
        date(2026, 7, 9),
        peer="huaneng",
    ),
    PracticeSpec(
        "H0601",
        "ICT",
        "D3.1",
        "同城双活与变更窗口管理",
        "标杆企业的核心业务系统部署在同城双活数据中心，核心网络设备双机热备，每季度开展一次切换演练；所有变更纳入"
        "变更管理流程，统一在周末窗口实施并提前公告，重大变更必须有回退方案。信息系统可用率常年保持在99.98%以上。",
        "电力行业网络安全与信息化对标交流会",
        date(2026, 8, 26),
        peer="guoneng",
    ),
]

PLAN = Plan(
    lean_office="H0001",
    year=2026,
    first_month="2025-01",
    last_month="2026-10",
    peers=PEERS,
    benchmarks=BENCHMARKS,
    proposals=PROPOSALS,
    practices=PRACTICES,
    seed=20252,
)
