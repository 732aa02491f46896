from django.http import HttpRequest

from lobby.access import staff_of


def staff(request: HttpRequest) -> dict:
    return {"staff": staff_of(request)}
