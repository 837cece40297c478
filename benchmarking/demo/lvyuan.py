"""绿源水务: the lean office benchmarks its leakage against a provincial capital's water group and the industry
average, from 2026 on; no proposals yet. The network company (NET) is better than the industry but far from the
capital's group, which is why the leakage project looks there."""

from .build import ENTERPRISE, INDUSTRY, LEAN_OFFICE, MEDIUM, MONTH, QUARTER, SHORTFALL, BenchmarkSpec, PeerSpec, Plan

PEERS = [
    PeerSpec(
        "capital",
        "某省会城市水务集团",
        ENTERPRISE,
        "日供水能力120万立方米，全国公共供水管网漏损治理重点城市中的先进单位",
        "水务行业对标交流会",
        MEDIUM,
    ),
    PeerSpec(
        "average",
        "城镇供水行业平均",
        INDUSTRY,
        "中国城镇供水排水协会统计的同规模供水企业平均水平",
        "中国城镇供水排水协会统计数据",
        MEDIUM,
    ),
]

# fmt: off
BENCHMARKS = [
    BenchmarkSpec("B1.1", QUARTER, SHORTFALL, {"capital": (7.6, 7.2), "average": (11.8, 11.5)}, 0.15, 2),
    BenchmarkSpec("A2.1", QUARTER, SHORTFALL, {"capital": (10.2, 9.8), "average": (14.6, 14.3)}, 0.2, 2),
    BenchmarkSpec("C1.1", MONTH, LEAN_OFFICE, {"capital": (262, 258), "average": (291, 289)}, 2.5, 1),
]
# fmt: on

PLAN = Plan(
    lean_office="L0001",
    year=2026,
    first_month="2026-01",
    last_month="2026-10",
    peers=PEERS,
    benchmarks=BENCHMARKS,
    proposals=[],
    practices=[],
    seed=20262,
)
