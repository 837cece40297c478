from lean.tenancy import tenant_scope
from projects.models import Project, State
from tests.projects.factories import make_projects
from tests.targets.factories import make_targets


def test_the_factory_takes_a_project_to_its_midterm(tenant_a):
    with tenant_scope(tenant_a.tenant):
        make_targets(tenant_a)
        project = make_projects(tenant_a)
        assert Project.objects.get(pk=project.pk).state == State.MIDTERM
