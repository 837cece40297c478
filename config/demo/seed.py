"""Demo data: one realistic enterprise (HQ, 6 units, 60 people, every role) and a small second tenant.

Seeding runs in steps: first the tenant with its units and people, then each app's own demo step (APP_STEPS).
Each step checks for itself whether its data is there, so running it again changes nothing, and a `.data`
made by an earlier version gets the newer apps' demo data on the next start.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from benchmarking import demo as benchmarking_demo
from config.demo import accounts as accounts_demo
from config.demo import channels as channels_demo
from config.demo import jobs as jobs_demo
from config.demo import queries as queries_demo
from config.demo import sso as sso_demo
from innovation import demo as innovation_demo
from lean.models import Role, Tenant, Unit, User
from lean.services import member_create, tenant_create, unit_create
from lean.tenancy import tenant_scope
from projects import demo as projects_demo
from targets import demo as targets_demo

DEMO_PASSWORD = "lean-demo-2026"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "海燕",
    "志强",
    "晓东",
    "春梅",
    "国庆",
    "文博",
    "思远",
    "雨桐",
    "子涵",
]

HUAXIN_UNITS = [
    ("GEN1", "第一发电公司", ["运行部", "设备部"]),
    ("GEN2", "第二发电公司", ["运行部", "燃料部"]),
    ("MAINT", "检修公司", ["电气检修部", "机务检修部"]),
    ("SUPPLY", "物资供应公司", ["仓储中心", "采购中心"]),
    ("SALES", "营销服务中心", ["客户服务部", "市场部"]),
    ("ICT", "信息通信公司", ["运维部", "研发部"]),
]
POSITIONS = ["值长", "主值", "技术员", "工程师", "班长", "专责", "主管", "检修工"]


def _name(i: int) -> str:
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 11) % len(GIVEN)]


_password_hashes: dict = {}


def _password_hash() -> str:
    """Hashing is slow on purpose (a third of a second); every demo person has the same password, so the demo
    hashes it once (per hasher setting: tests use a fast one) instead of 70 times."""
    key = tuple(settings.PASSWORD_HASHERS)
    if key not in _password_hashes:
        _password_hashes[key] = make_password(DEMO_PASSWORD)
    return _password_hashes[key]


def _person(tenant_slug, number, name, unit, roles, position):
    user, created = User.objects.get_or_create(username=f"{tenant_slug}-{number.lower()}", defaults={"full_name": name})
    if created:
        user.password = _password_hash()
        user.save()
    return member_create(user=user, unit=unit, employee_number=number, roles=roles, position=position)


@transaction.atomic
def seed_huaxin():
    tenant = tenant_create(name="华信能源集团", slug="huaxin")
    with tenant_scope(tenant):
        hq = unit_create(name="集团总部", code="HQ", kind=Unit.Kind.HQ)
        lean_office = unit_create(name="精益管理办公室", code="LEAN", kind=Unit.Kind.TEAM, parent=hq)
        _person("huaxin", "H0001", "王建国", lean_office, [Role.LEAN_OFFICE, Role.EMPLOYEE], "精益管理办公室主任")
        _person("huaxin", "H0002", "李明华", hq, [Role.REVIEWER, Role.EMPLOYEE], "首席专家")
        _person("huaxin", "H0003", "陈晓梅", lean_office, [Role.LEAN_OFFICE, Role.EMPLOYEE], "精益专责")
        _person("huaxin", "H0004", "赵志刚", hq, [Role.REVIEWER, Role.EMPLOYEE], "高级工程师")
        _person("huaxin", "H0005", "周文静", lean_office, [Role.EMPLOYEE], "统计员")
        _person("huaxin", "H0006", "孙海涛", hq, [Role.EMPLOYEE], "综合管理员")
        # 分管领导: reads the dashboards, the query and the portfolio of the whole group; changes nothing.
        _person("huaxin", "H0007", "黄志远", hq, [Role.LEADER], "分管精益工作副总经理")
        # 财务核验: signs off the projects' verified benefits for the whole group (a member of HQ, the root unit).
        _person("huaxin", "H0008", "吴秀英", hq, [Role.FINANCE, Role.EMPLOYEE], "财务部效益核算主管")
        seq = 0
        for index, (code, name, teams) in enumerate(HUAXIN_UNITS, start=1):
            unit = unit_create(name=name, code=code, parent=hq)
            team_units = [
                unit_create(name=t, code=f"{code}-{j}", kind=Unit.Kind.TEAM, parent=unit)
                for j, t in enumerate(teams, start=1)
            ]
            _person(
                "huaxin",
                f"H0{index}01",
                _name(seq := seq + 1),
                unit,
                [Role.UNIT_MANAGER, Role.EMPLOYEE],
                "总经理",
            )
            for k in range(2, 10):
                roles = [Role.EMPLOYEE] + ([Role.REVIEWER] if k == 2 and index % 2 else [])
                _person(
                    "huaxin",
                    f"H0{index}{k:02d}",
                    _name(seq := seq + 1),
                    team_units[k % 2],
                    roles,
                    POSITIONS[(seq + k) % len(POSITIONS)],
                )
            # The person a demo signs in as for "employee": a plain employee of the first team.
            if index == 1:
                _person("huaxin", "H0111", "刘思远", team_units[0], [Role.EMPLOYEE], "技术员")
    return tenant


@transaction.atomic
def seed_lvyuan():
    tenant = tenant_create(name="绿源水务有限公司", slug="lvyuan")
    with tenant_scope(tenant):
        hq = unit_create(name="公司本部", code="HQ", kind=Unit.Kind.HQ)
        plant = unit_create(name="第一水厂", code="PLANT1", parent=hq)
        network = unit_create(name="管网公司", code="NET", parent=hq)
        _person("lvyuan", "L0001", "郑雅琴", hq, [Role.LEAN_OFFICE, Role.REVIEWER, Role.EMPLOYEE], "精益专员")
        _person("lvyuan", "L0002", "冯国强", plant, [Role.UNIT_MANAGER, Role.EMPLOYEE], "厂长")
        _person("lvyuan", "L0003", "韩冬梅", network, [Role.UNIT_MANAGER, Role.EMPLOYEE], "经理")
        _person("lvyuan", "L0004", "邓丽萍", hq, [Role.FINANCE, Role.EMPLOYEE], "财务主管")
        for k, unit in enumerate([plant, plant, network, network, plant], start=11):
            _person("lvyuan", f"L00{k}", _name(100 + k), unit, [Role.EMPLOYEE], POSITIONS[k % len(POSITIONS)])
    return tenant


SEEDS = {"huaxin": seed_huaxin, "lvyuan": seed_lvyuan}

# (app, step): step(tenant) fills the tenant with the app's demo data and says whether it did anything.
APP_STEPS = [
    ("targets", targets_demo.seed),
    ("benchmarking", benchmarking_demo.seed),
    ("projects", projects_demo.seed),
    ("innovation", innovation_demo.seed),
    ("jobs", jobs_demo.seed),
    ("queries", queries_demo.seed),
    ("channels", channels_demo.seed),
    ("sso", sso_demo.seed),
    ("accounts", accounts_demo.seed),
]


def seed_all():
    for slug, seed in SEEDS.items():
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            tenant = seed()
            yield f"demo tenant {slug}: created"
        else:
            yield f"demo tenant {slug}: already there"
        created = False
        for app, step in APP_STEPS:
            if app == "jobs" and created:
                _analyze()
            done = step(tenant)
            created = created or done
            yield f"demo {app} {slug}: {'created' if done else 'already there'}"


def _analyze() -> None:
    """Fresh planner statistics before the jobs step reads what the steps above bulk-inserted. Autovacuum would
    catch up later, but the shortfall report runs at once (and a seed inside one transaction, as in the tests, is
    never seen by autovacuum): on tables the planner still takes for empty, its coverage query can run for many
    minutes instead of a second."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
