"""Outside peers' values: the list, one entered, many entered all or nothing (the lean office)."""

from functools import partial

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from lean.apis import (
    RefsInput,
    TenantAPIView,
    bulk_created,
    bulk_items,
    bulk_refuse,
    bulk_schema,
    list_page,
    list_schema,
    one_item,
    save_one,
    write_schema,
)
from lean.permissions import require
from targets.apis.common import Page, PeriodField, RowField, read_filters, stable_order

from .. import selectors, services
from ..models import BenchmarkIndicator, Confidence, Peer, PeerValue

VALUES = "peer values"
SOURCE_MAX = PeerValue._meta.get_field("source").max_length


class ValueFilter(serializers.Serializer):
    benchmark = RowField(BenchmarkIndicator, required=False, help_text=gettext_lazy("A benchmark indicator id."))
    peer = RowField(Peer, required=False, help_text=gettext_lazy("An outside peer id."))
    period = PeriodField(required=False, help_text=gettext_lazy("Values inside this period: 2026-03, 2026-Q1 or 2026."))


class ValueOutput(serializers.Serializer):
    id = serializers.IntegerField()
    benchmark_id = serializers.IntegerField()
    benchmark_code = serializers.CharField(source="benchmark.code")
    peer_id = serializers.IntegerField()
    peer_name = serializers.CharField(source="peer.name")
    period = PeriodField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    source = serializers.CharField()
    source_date = serializers.DateField(allow_null=True)
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    entered_by = serializers.CharField(source="entered_by.user.display_name", allow_null=True)
    updated_at = serializers.DateTimeField()


class ValueInput(RefsInput):
    benchmark_id = serializers.IntegerField(
        required=False, help_text=gettext_lazy("The benchmark indicator; or benchmark_code.")
    )
    benchmark_code = serializers.CharField(required=False, max_length=40)
    peer_id = serializers.IntegerField(required=False, help_text=gettext_lazy("The outside peer; or peer_name."))
    peer_name = serializers.CharField(required=False, max_length=200)
    period = PeriodField(help_text=gettext_lazy("2026-03, 2026-Q1 or 2026, as the benchmark indicator is compared."))
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    source = serializers.CharField(max_length=SOURCE_MAX, help_text=gettext_lazy("Where the figure comes from."))
    source_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("The date of the figure.")
    )
    confidence = serializers.ChoiceField(choices=Confidence.choices, default=Confidence.MEDIUM)

    refs = (
        ("benchmark_id", ("benchmark_code",), gettext_lazy("Give benchmark_id or benchmark_code.")),
        ("peer_id", ("peer_name",), gettext_lazy("Give peer_id or peer_name.")),
    )


def _resolve(rows: list[dict | None]) -> tuple[list[services.ValueInput | None], dict[int, dict]]:
    """Validated inputs as services.ValueInput, their benchmark indicators and peers looked up in two queries.
    Returns the items (None where a row could not be resolved) and the errors of those rows by index."""
    valid = [row for row in rows if row is not None]
    benchmarks = list(
        BenchmarkIndicator.objects.filter(
            Q(pk__in={r["benchmark_id"] for r in valid if "benchmark_id" in r})
            | Q(code__in={r["benchmark_code"] for r in valid if "benchmark_id" not in r})
        )
    )
    peers = list(
        Peer.objects.filter(
            Q(pk__in={r["peer_id"] for r in valid if "peer_id" in r})
            | Q(name__in={r["peer_name"] for r in valid if "peer_id" not in r})
        )
    )
    benchmark_by = {("benchmark_id", b.pk): b for b in benchmarks} | {("benchmark_code", b.code): b for b in benchmarks}
    peer_by = {("peer_id", p.pk): p for p in peers} | {("peer_name", p.name): p for p in peers}
    items, errors = [], {}
    for index, row in enumerate(rows):
        if row is None:
            items.append(None)
            continue
        row_errors = {}
        benchmark_field = "benchmark_id" if "benchmark_id" in row else "benchmark_code"
        benchmark = benchmark_by.get((benchmark_field, row[benchmark_field]))
        if benchmark is None:
            row_errors[benchmark_field] = [
                _("There is no benchmark indicator %(ref)s.") % {"ref": row[benchmark_field]}
            ]
        peer_field = "peer_id" if "peer_id" in row else "peer_name"
        peer = peer_by.get((peer_field, row[peer_field]))
        if peer is None:
            row_errors[peer_field] = [_("There is no peer %(ref)s.") % {"ref": row[peer_field]}]
        if row_errors:
            errors[index] = row_errors
            items.append(None)
            continue
        items.append(
            services.ValueInput(
                benchmark=benchmark,
                peer=peer,
                period=row["period"],
                value=row["value"],
                source=row["source"],
                source_date=row["source_date"],
                confidence=row["confidence"],
            )
        )
    return items, errors


def items_errors(items: list[services.ValueInput | None]) -> dict[int, list[str]]:
    """The services' rule for each resolved item, and the same value given twice, by index: every bad item is
    listed at once, not only those of the first kind of error."""
    errors, seen = {}, {}
    for index, item in enumerate(items):
        if item is None:
            continue
        messages = services.value_errors(item)
        key = (item.benchmark.pk, item.peer.pk, item.period.start)
        if key in seen:
            messages.append(_("The same peer, indicator and period are already item %(index)s.") % {"index": seen[key]})
        seen.setdefault(key, index)
        if messages:
            errors[index] = messages
    return errors


def _save_one(actor, item: services.ValueInput) -> PeerValue:
    return save_one(partial(services.peer_values_save, actor=actor), item, code="invalid_value")


class ValueListApi(TenantAPIView):
    required_perm = "benchmarking.view"
    pagination_class = Page

    @extend_schema(
        **list_schema(
            VALUES,
            gettext_lazy("Outside peers' values"),
            ValueFilter,
            ValueOutput,
            description=gettext_lazy("Newest period first, then by indicator code and peer name."),
        )
    )
    def get(self, request, tenant_slug):
        values = selectors.peer_value_list(**read_filters(ValueFilter, request))
        return list_page(self, stable_order(values), ValueOutput)

    @extend_schema(
        **write_schema(
            VALUES,
            gettext_lazy("Enter one outside value"),
            gettext_lazy(
                "Enters a peer's value, or corrects the one already stored for the same indicator, peer and period "
                "(the history keeps the old value). The lean office only."
            ),
            ValueInput,
            ValueOutput,
            created=True,
        )
    )
    def post(self, request, tenant_slug):
        require(self.membership, "benchmarking.manage")
        item = one_item(request, ValueInput, _resolve)
        value = _save_one(self.membership, item)
        return Response(ValueOutput(selectors.peer_value_list().get(pk=value.pk)).data, status=status.HTTP_201_CREATED)


class ValueBulkApi(TenantAPIView):
    required_perm = "benchmarking.manage"

    @extend_schema(
        tags=[VALUES],
        summary=gettext_lazy("Enter many outside values, all or nothing"),
        description=gettext_lazy(
            "Up to 5,000 values; the lean office only. If any item is wrong nothing is stored, and field_errors "
            'lists every wrong item by its index: {"3": ["..."]}. Existing values are corrected (the history keeps '
            "the old value)."
        ),
        **bulk_schema("Value", "values", ValueInput),
    )
    def post(self, request, tenant_slug):
        items, errors = bulk_items(request, "values", ValueInput, _resolve)
        errors.update(items_errors(items))
        bulk_refuse(errors)
        return bulk_created(services.peer_values_save(actor=self.membership, items=items))
