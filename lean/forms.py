from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from lean.errors import ApplicationError, Forbidden

from .models import Role, Unit


def apply_error(
    form, error: ApplicationError, *, aliases=None, fallback: str | None = None, summary: bool = False
) -> None:
    """The one way a view shows a service's ApplicationError on the form it renders again.

    Each message goes on the field the error names (the input drawn as invalid); `aliases` ({path: field} or
    a callable) renames a path the form calls otherwise. Messages of paths the form has no field for go on the
    form as a whole, and the error's own message goes on top (or on `fallback`) when no field took one. With
    `summary`, the error's message goes on top and the fields it names are only drawn as invalid (forms that
    show one sentence for the whole refusal). A refusal (Forbidden) is no form error: it goes on to the 403 page
    with its message.
    """
    if isinstance(error, Forbidden):
        raise error
    if summary:
        form.add_error(None, error.message)
        for path in error.field_errors:
            name = path if path in form.fields or not aliases else _alias(aliases, path)
            if name in form.fields:
                _mark_invalid(form, name)
        return
    placed = False
    for path, texts in error.field_errors.items():
        name = path if path in form.fields or not aliases else _alias(aliases, path)
        if name in form.fields:
            for text in texts or [error.message]:
                form.add_error(name, text)
            _mark_invalid(form, name)
            placed = True
        else:
            for text in texts:
                form.add_error(None, text)
    if not placed:
        form.add_error(fallback, error.message)


def submitted(request, form, service, *, aliases=None, **kwargs):
    """A form page's write: on a POST whose form is valid, `service(**kwargs, **form.cleaned_data)` and its
    result; None for a GET, an invalid form or a broken rule (the ApplicationError then on the form, through
    apply_error)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return service(**kwargs, **form.cleaned_data)
    except ApplicationError as error:
        apply_error(form, error, aliases=aliases)
        return None


def _alias(aliases, path: str):
    return aliases(path) if callable(aliases) else aliases.get(path)


def _mark_invalid(form, name: str) -> None:
    attrs = form.fields[name].widget.attrs
    if "is-invalid" not in attrs.get("class", ""):
        attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


def flash_error(request, error: ApplicationError) -> None:
    """A service's ApplicationError as a message on the next page, where there is no form to show it on; a
    refusal (Forbidden) goes on to the 403 page instead."""
    if isinstance(error, Forbidden):
        raise error
    messages.error(request, error.message)


class LoginForm(forms.Form):
    tenant = forms.SlugField(label=_("Enterprise code"), max_length=60)
    login = forms.CharField(label=_("Employee number or username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def __init__(self, *args, fixed_tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_tenant = fixed_tenant
        if fixed_tenant is not None:
            self.fields["tenant"].required = False
            self.fields["tenant"].widget = forms.HiddenInput()
        self.fields["login"].widget.attrs.update(autocomplete="username")
        self.fields["login" if fixed_tenant else "tenant"].widget.attrs["autofocus"] = True
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def tenant_slug(self) -> str:
        return self.fixed_tenant.slug if self.fixed_tenant else self.cleaned_data["tenant"]


class MemberForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, inside the tenant scope.
        self.fields["unit"].queryset = Unit.objects.filter(active=True).order_by("path")
        self.fields["unit"].label_from_instance = lambda unit: f"{'— ' * unit.depth}{unit.name}"


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("path")
        self.fields["unit"].label_from_instance = lambda unit: f"{'— ' * unit.depth}{unit.name}"


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices, initial=Unit.Kind.UNIT)
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.objects.filter(active=True).order_by("path")
        self.fields["parent"].label_from_instance = lambda unit: f"{'— ' * unit.depth}{unit.name}"


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes (render each field with templates/lean/_field.html)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
                widget, forms.CheckboxSelectMultiple
            ):
                css = "form-select form-select-sm"
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = ""
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = css.strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
