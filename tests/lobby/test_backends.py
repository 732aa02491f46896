import pytest

from lobby.access import staff_for_user
from lobby.backends import StaffBackend

pytestmark = pytest.mark.django_db


def test_the_signed_in_user_comes_with_staff_and_branch_in_one_query(
    lobby_manager, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = StaffBackend().get_user(lobby_manager.user.pk)
        assert staff_for_user(user).branch.code == "main"


def test_a_user_without_a_staff_record_has_none(django_user_model, django_assert_num_queries):
    user = django_user_model.objects.create_user("nobody", password="x-pass-123")
    with django_assert_num_queries(1):
        assert staff_for_user(StaffBackend().get_user(user.pk)) is None


def test_an_inactive_user_is_not_loaded(lobby_manager):
    lobby_manager.user.is_active = False
    lobby_manager.user.save()
    assert StaffBackend().get_user(lobby_manager.user.pk) is None


def test_a_user_that_no_longer_exists_is_none(db):
    assert StaffBackend().get_user(987654) is None
