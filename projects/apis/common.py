"""What the projects API operations share: named enums, short references to units, people and projects."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from targets.apis.common import RowField

from .. import selectors
from ..models import Project


class EnumField(serializers.ChoiceField):
    """A choice field whose values appear in the schema once, as the named enum component `enum_name`
    (ProjectStateEnum, ReviewKindEnum …), instead of an inline enum named after the field: `kind` and `state`
    already name other choice sets in the tenant's API."""

    def __init__(self, enum_name: str, choices, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices=choices, **kwargs)

    def to_representation(self, value):
        # A blank choice (a review not decided yet) reads as null, never as a value outside the enum.
        if value in ("", None):
            return None
        return super().to_representation(value)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField
    match_subclasses = True

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": [value for value in self.target.choices if value != ""]}


class VisibleProjectField(RowField):
    """The id of a project the member may see (one they may not see reads like an unknown id)."""

    def __init__(self, **kwargs):
        super().__init__(Project, **kwargs)

    def to_internal_value(self, data):
        pk = serializers.IntegerField.to_internal_value(self, data)
        project = selectors.visible_projects(self.context["membership"]).filter(pk=pk).first()
        if project is None:
            raise serializers.ValidationError(
                _("There is no %(model)s with id %(id)s.") % {"model": Project._meta.verbose_name, "id": pk}
            )
        return project


class UnitRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class MemberRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="user.display_name")
    employee_number = serializers.CharField()


class DirectionRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    guide_id = serializers.IntegerField()


class ProjectRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
