"""In-app notifications: the list, opening one (marks it read), marking all read."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..paging import paginate
from ..selectors import notification_get, notification_list


def notification_list_view(request, tenant_slug):
    page, query = paginate(request, notification_list(member=request.membership), 30)
    return render(request, "lean/notifications.html", {"page": page, "query": query})


@require_POST
def notification_open_view(request, tenant_slug, notification_id):
    notification = notification_get(member=request.membership, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications", tenant_slug=tenant_slug)


@require_POST
def notification_read_all_view(request, tenant_slug):
    notification_list(member=request.membership).filter(read_at=None).update(read_at=timezone.now())
    return redirect("notifications", tenant_slug=tenant_slug)
