"""The points arithmetic (积分制), pure and exact: no database, only Decimals.

    points = base(type) × positioning × breadth × complexity + award bonus,  rounded half-up to 0.01

A rule version's `rules` (JSON, numbers as strings so nothing is ever a float):

    {"base": {"project": "100", ...},
     "factors": {"positioning": {"key": {"value": "1.2", "min": "1.0", "max": "1.4"}, ...}, "breadth": ..., ...},
     "award": {"none": "0", "unit": "10", ...},
     "unit_base": {"min": "1", "max": "50"},
     "benefit_bands": {"key": "100000", "strategic": "1000000"}}

`benefit_bands` places a closed lean project by its benefit signed off by finance (CNY): from `key` on it is
positioned at least "key", from `strategic` on "strategic" (below `key`: "general"). A version saved before the
bands existed scores with DEFAULT_BANDS.

A unit's tuning replaces factor values (inside [min, max]) and sets the base of the unit's own types (inside
`unit_base`). A tuning that a later HQ version's bounds no longer allow is clamped to them when scoring, and the
breakdown says so.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import Level

CENT = Decimal("0.01")
FACTORS = ("positioning", "breadth", "complexity")

DEFAULT_RULES = {
    "base": {"project": "100", "qc": "60", "one_page": "10", "suggestion": "5", "opl": "8"},
    "factors": {
        "positioning": {
            "strategic": {"value": "1.5", "min": "1.3", "max": "1.8"},
            "key": {"value": "1.2", "min": "1.0", "max": "1.4"},
            "general": {"value": "1.0", "min": "0.8", "max": "1.2"},
        },
        "breadth": {
            "tenant": {"value": "1.5", "min": "1.3", "max": "1.8"},
            "cross_unit": {"value": "1.3", "min": "1.1", "max": "1.5"},
            "unit": {"value": "1.0", "min": "0.9", "max": "1.2"},
            "team": {"value": "0.8", "min": "0.6", "max": "1.0"},
        },
        "complexity": {
            "high": {"value": "1.5", "min": "1.3", "max": "1.8"},
            "medium": {"value": "1.2", "min": "1.0", "max": "1.4"},
            "low": {"value": "1.0", "min": "0.8", "max": "1.2"},
        },
    },
    "award": {"none": "0", "unit": "10", "company": "30", "provincial": "60", "national": "100"},
    "unit_base": {"min": "1", "max": "50"},
    "benefit_bands": {"key": "100000", "strategic": "1000000"},
}
DEFAULT_BANDS = DEFAULT_RULES["benefit_bands"]
POSITIONING_ORDER = ("general", "key", "strategic")  # lowest first


class RulesError(ValueError):
    """The rules or a tuning break a bound. `errors` maps a field path ("factors.breadth.team.value") to a
    message."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _dec(value, path, errors, *, positive=True):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError):
        errors[path] = _("Enter a number.")
        return None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        errors[path] = _("Enter a number greater than zero.") if positive else _("Enter zero or more.")
        return None
    if number.as_tuple().exponent < -4:
        errors[path] = _("Use at most four decimal places.")
        return None
    return number


def validate_rules(rules: dict, type_codes) -> dict:
    """Check a whole rule version and return it normalised (every number a plain string). Raise RulesError
    listing every problem."""
    errors: dict = {}
    out = {"base": {}, "factors": {}, "award": {}, "unit_base": {}, "benefit_bands": {}}
    base = rules.get("base") or {}
    for code in type_codes:
        value = _dec(base.get(code), f"base.{code}", errors)
        if value is not None:
            out["base"][code] = str(value)
    for factor in FACTORS:
        table = (rules.get("factors") or {}).get(factor) or {}
        out["factors"][factor] = {}
        for level, _label in Level.FACTORS[factor]:
            row = table.get(level) or {}
            path = f"factors.{factor}.{level}"
            value, low, high = (_dec(row.get(k), f"{path}.{k}", errors) for k in ("value", "min", "max"))
            if None in (value, low, high):
                continue
            if not low <= value <= high:
                errors[f"{path}.value"] = _("The value has to be between its bounds (%(min)s – %(max)s).") % {
                    "min": low,
                    "max": high,
                }
                continue
            out["factors"][factor][level] = {"value": str(value), "min": str(low), "max": str(high)}
    for level, _label in Level.AWARD:
        value = _dec((rules.get("award") or {}).get(level), f"award.{level}", errors, positive=False)
        if value is not None:
            out["award"][level] = str(value)
    unit_base = rules.get("unit_base") or {}
    low, high = (_dec(unit_base.get(k), f"unit_base.{k}", errors) for k in ("min", "max"))
    if low is not None and high is not None:
        if low > high:
            errors["unit_base.max"] = _("The upper bound is below the lower bound.")
        else:
            out["unit_base"] = {"min": str(low), "max": str(high)}
    bands = rules.get("benefit_bands") or DEFAULT_BANDS
    key, strategic = (_dec(bands.get(k), f"benefit_bands.{k}", errors, positive=False) for k in ("key", "strategic"))
    if key is not None and strategic is not None:
        if key > strategic:
            errors["benefit_bands.strategic"] = _("The strategic band starts below the key band.")
        else:
            out["benefit_bands"] = {"key": str(key), "strategic": str(strategic)}
    if errors:
        raise RulesError(errors)
    return out


def benefit_positioning(rules: dict, amount: Decimal | None) -> str:
    """The positioning a closed project's signed-off benefit (CNY) earns under `rules`' bands (DEFAULT_BANDS for
    a version older than them); no signed-off benefit earns the lowest."""
    bands = rules.get("benefit_bands") or DEFAULT_BANDS
    if amount is None:
        return "general"
    if amount >= Decimal(bands["strategic"]):
        return "strategic"
    if amount >= Decimal(bands["key"]):
        return "key"
    return "general"


def higher_positioning(*levels: str) -> str:
    return max(levels, key=POSITIONING_ORDER.index)


def validate_tuning(rules: dict, factors: dict, type_base: dict, own_type_codes) -> tuple[dict, dict]:
    """Check a unit's tuning against HQ's bounds in `rules`; return (factors, type_base) normalised."""
    errors: dict = {}
    out_factors: dict = {}
    for factor, levels in (factors or {}).items():
        if factor not in FACTORS:
            errors[f"factors.{factor}"] = _("Unknown factor.")
            continue
        for level, raw in (levels or {}).items():
            path = f"factors.{factor}.{level}"
            bounds = rules["factors"][factor].get(level)
            if bounds is None:
                errors[path] = _("Unknown level.")
                continue
            if raw in (None, ""):
                continue  # not tuned: HQ's value applies
            value = _dec(raw, path, errors)
            if value is None:
                continue
            low, high = Decimal(bounds["min"]), Decimal(bounds["max"])
            if not low <= value <= high:
                errors[path] = _("HQ allows %(min)s – %(max)s here.") % {"min": low, "max": high}
                continue
            out_factors.setdefault(factor, {})[level] = str(value)
    out_base: dict = {}
    low, high = Decimal(rules["unit_base"]["min"]), Decimal(rules["unit_base"]["max"])
    for code in own_type_codes:
        path = f"type_base.{code}"
        value = _dec((type_base or {}).get(code), path, errors)
        if value is None:
            continue
        if not low <= value <= high:
            errors[path] = _("HQ allows %(min)s – %(max)s here.") % {"min": low, "max": high}
            continue
        out_base[code] = str(value)
    if errors:
        raise RulesError(errors)
    return out_factors, out_base


@dataclass(frozen=True)
class Sample:
    """What scores a contribution."""

    type_code: str
    positioning: str
    breadth: str
    complexity: str
    award: str


def compute(rules: dict, sample: Sample, tuning_factors: dict | None = None, tuning_base: dict | None = None):
    """Return (points, breakdown). `breakdown` holds every figure used, so the result can be shown and
    reproduced; a tuned value outside the rules' bounds is clamped and marked."""
    tuning_factors, tuning_base = tuning_factors or {}, tuning_base or {}
    if sample.type_code in tuning_base:
        base, base_from = Decimal(tuning_base[sample.type_code]), "unit"
        low, high = Decimal(rules["unit_base"]["min"]), Decimal(rules["unit_base"]["max"])
        clamped = min(max(base, low), high)
        base_from, base = ("unit_clamped", clamped) if clamped != base else (base_from, base)
    elif sample.type_code in rules["base"]:
        base, base_from = Decimal(rules["base"][sample.type_code]), "hq"
    else:
        raise RulesError({"type": _("These rules give no base points for this type.")})
    breakdown = {"type": sample.type_code, "base": str(base), "base_from": base_from, "factors": {}}
    product = base
    for factor in FACTORS:
        level = getattr(sample, factor)
        row = rules["factors"][factor][level]
        value, source = Decimal(row["value"]), "hq"
        tuned = tuning_factors.get(factor, {}).get(level)
        if tuned is not None:
            value, source = Decimal(tuned), "unit"
            clamped = min(max(value, Decimal(row["min"])), Decimal(row["max"]))
            if clamped != value:
                value, source = clamped, "unit_clamped"
        product *= value
        breakdown["factors"][factor] = {"level": level, "value": str(value), "from": source}
    bonus = Decimal(rules["award"][sample.award])
    points = (product + bonus).quantize(CENT, rounding=ROUND_HALF_UP)
    breakdown.update(award={"level": sample.award, "bonus": str(bonus)}, points=str(points))
    return points, breakdown


def split(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split `total` by percentage `shares` (which add to 100) into cents that add up to `total` exactly:
    each gets its share rounded down, and the cents left over go to the largest remainders (ties: first)."""
    total_cents = int((total / CENT).to_integral_value())
    exact = [Decimal(total_cents) * share / Decimal(100) for share in shares]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = total_cents - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]
