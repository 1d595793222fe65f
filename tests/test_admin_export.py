import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from directory.choices import Status
from directory.models import ExportRecord

from .csv_reading import column, content
from .factories import make_guidance, make_organisation, make_programme, make_sector, make_user

pytestmark = pytest.mark.django_db

MODELS = ("organisation", "programme", "guidance")


@pytest.fixture
def exporter_client(client):
    client.force_login(make_user(groups=["Exporters"]))
    return client


@pytest.fixture
def organisations():
    finance = make_sector("Finance", slug="finance")
    items = {
        "bank": make_organisation("Bank of Robots", kind="financial_institution"),
        "draft": make_organisation("Draft Robotics Lab", status=Status.DRAFT),
        "university": make_organisation("Robotics University", kind="university"),
        "startup": make_organisation("Vision Startup", kind="startup"),
    }
    items["bank"].sectors.set([finance])
    items["draft"].sectors.set([finance])
    return items


def changelist(name):
    return reverse(f"admin:directory_{name}_changelist")


def export_action(client, name, pks, query="", **extra):
    data = {"action": "export_selected", "_selected_action": [str(pk) for pk in pks], **extra}
    return client.post(changelist(name) + query, data)


def test_export_selected_has_the_selected_items_in_changelist_order(exporter_client, organisations):
    chosen = [organisations["startup"].pk, organisations["draft"].pk, organisations["bank"].pk]
    response = export_action(exporter_client, "organisation", chosen)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert column(content(response), "name") == ["Bank of Robots", "Draft Robotics Lab", "Vision Startup"]
    record = ExportRecord.objects.get()
    assert (record.source, record.row_count, record.complete) == ("admin", 3, True)
    assert record.filters == {"selected": [str(pk) for pk in chosen]}


def test_export_selected_across_every_page_has_everything_the_changelist_matches(exporter_client, organisations):
    pks = [organisations["bank"].pk]
    response = export_action(exporter_client, "organisation", pks, "?q=robot", select_across="1")
    names = column(content(response), "name")
    assert names == ["Bank of Robots", "Draft Robotics Lab", "Robotics University"]
    assert ExportRecord.objects.get().filters == {"q": ["robot"], "selected": "all"}


@pytest.mark.parametrize("name", MODELS)
def test_export_action_is_offered_only_with_the_export_permission(client, name):
    def actions():
        return dict(client.get(changelist(name)).context["action_form"].fields["action"].choices)

    client.force_login(make_user(groups=["Exporters"]))
    assert "export_selected" in actions()
    client.force_login(make_user(groups=["Publishers"]))
    assert "export_selected" not in actions()


def test_export_action_posted_without_the_permission_exports_nothing(editor_client, organisations):
    response = export_action(editor_client, "organisation", [organisations["bank"].pk])
    assert not response.streaming
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Bank of Robots", "Draft Robotics Lab", "Robotics University", "Vision Startup"]),
        ("?status__exact=draft", ["Draft Robotics Lab"]),
        ("?q=robot", ["Bank of Robots", "Draft Robotics Lab", "Robotics University"]),
        ("?q=robot&sectors__id__exact=SECTOR", ["Bank of Robots", "Draft Robotics Lab"]),
        ("?o=-2&status__exact=published", ["Vision Startup", "Robotics University", "Bank of Robots"]),
        ("?p=2", ["Bank of Robots", "Draft Robotics Lab", "Robotics University", "Vision Startup"]),
    ],
)
def test_export_all_matching_follows_the_changelist_filters_search_and_order(
    exporter_client, organisations, query, expected
):
    query = query.replace("SECTOR", str(organisations["bank"].sectors.get().pk))
    listed = exporter_client.get(changelist("organisation") + query.replace("?p=2", ""))
    assert [item.name for item in listed.context["cl"].queryset] == expected
    response = exporter_client.get(reverse("admin:directory_organisation_export") + query)
    assert response.status_code == 200
    assert column(content(response), "name") == expected


def test_export_all_matching_with_nonsense_filters_goes_back_to_the_changelist(exporter_client):
    response = exporter_client.get(reverse("admin:directory_organisation_export"), {"nonsense__field": "1"})
    assert response.status_code == 302
    assert response.url == changelist("organisation") + "?e=1"


@pytest.mark.parametrize("name", MODELS)
def test_export_all_matching_link_carries_the_changelist_filters(exporter_client, name):
    response = exporter_client.get(changelist(name), {"status__exact": "draft", "p": "1"})
    url = reverse(f"admin:directory_{name}_export") + "?status__exact=draft"
    assert response.context["export_url"] == url
    assert f'href="{url}"' in response.content.decode()


@pytest.mark.parametrize("name", MODELS)
def test_export_all_matching_needs_the_export_permission(client, name):
    make_programme()
    make_guidance()
    url = reverse(f"admin:directory_{name}_export")
    assert client.get(url).url.startswith(reverse("admin:login"))
    client.force_login(make_user(groups=["Publishers"]))
    assert "export_url" not in client.get(changelist(name)).context
    assert client.get(url).status_code == 403
    exporter_without_view = make_user()
    exporter_without_view.user_permissions.add(Permission.objects.get(codename=f"export_{name}"))
    client.force_login(exporter_without_view)
    assert client.get(url).status_code == 403
    assert not ExportRecord.objects.exists()


@pytest.fixture
def record(exporter_client, organisations):
    content(exporter_client.get(reverse("directory:organisation-export"), {"kind": "university"}))
    return ExportRecord.objects.get()


def test_publishers_may_read_the_export_records(client, record):
    assert Group.objects.get(name="Publishers").permissions.filter(codename="view_exportrecord").exists()
    client.force_login(make_user(groups=["Publishers"]))
    response = client.get(reverse("admin:directory_exportrecord_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [record]
    detail = client.get(reverse("admin:directory_exportrecord_change", args=[record.pk]))
    assert detail.status_code == 200
    assert "university" in detail.content.decode()


@pytest.mark.parametrize("user", [{"groups": ["Publishers"]}, {"is_superuser": True}])
def test_export_records_cannot_be_added_changed_or_deleted(client, record, user):
    client.force_login(make_user(**user))
    assert client.get(reverse("admin:directory_exportrecord_add")).status_code == 403
    assert client.get(reverse("admin:directory_exportrecord_delete", args=[record.pk])).status_code == 403
    response = client.post(reverse("admin:directory_exportrecord_change", args=[record.pk]), {"row_count": 0})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.row_count == 1


@pytest.mark.parametrize("groups", [["Editors"], ["Exporters"]])
def test_others_cannot_read_the_export_records(client, record, groups):
    client.force_login(make_user(groups=groups))
    assert client.get(reverse("admin:directory_exportrecord_changelist")).status_code == 403
