"""绿源水务: a handful of contributions in the two units (and the closed project's), one listing open now."""

from datetime import date

from .build import Idea, Item, ListingSpec, Plan, Team
from .build import Levels as L

ITEMS = [
    Item(
        "L0011",
        "one_page",
        "加药间计量泵标识目视化",
        date(2026, 3, 12),
        L("general", "team", "low"),
        description="计量泵、管线按药剂种类色标管理，投加量标牌上墙。",
    ),
    Item(
        "L0013",
        "one_page",
        "管网巡检轨迹自动记录",
        date(2026, 5, 20),
        L("general", "unit", "medium"),
        description="巡检人员手机定位自动生成巡检轨迹，漏巡管段一目了然。",
    ),
    Item("L0014", "opl", "听漏仪使用方法", date(2026, 6, 8)),
    Item("L0015", "one_page", "沉淀池排泥阀开度标尺", date(2026, 10, 20), fate="waiting"),
]

TEAMS = [
    Team(
        "qc",
        "降低沉淀池排泥水量",
        date(2026, 7, 15),
        ("L0011", "L0012", "L0015"),
        L("general", "unit", "medium", "unit"),
    ),
]

IDEAS = [
    Idea(
        "L0012",
        date(2026, 4, 10),
        "滤池反冲洗周期按水头损失调整",
        "滤池按固定周期反冲洗，低浊度季节冲洗过频，浪费水和电。",
        "按水头损失和出水浊度确定反冲洗时机。",
        "每年节约反冲洗水约3万立方米。",
        "implemented",
    ),
]

LISTINGS = [
    ListingSpec("2026年1—9月创新积分公示", date(2026, 1, 1), date(2026, 9, 30), opened=None, days_ago=2),
]

PLAN = Plan(
    lean_office="L0001",
    units={},
    items=ITEMS,
    teams=TEAMS,
    ideas=IDEAS,
    listings=LISTINGS,
    seed=20263,
)
