"""ASGI entry point: HTTP through Django; websockets through Channels (session, origin check).

HTTP requests run their sync code on pooled threads, and the heap of the loaded app is frozen on
the first connection (lobby.serving).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lobby.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402

from lobby.consumers import DisplayConsumer, LiveConsumer  # noqa: E402
from lobby.serving import FrozenHeap, RequestThreads  # noqa: E402

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
    path("ws/display/<str:token>/", DisplayConsumer.as_asgi()),
]

application = FrozenHeap(
    ProtocolTypeRouter(
        {
            "http": RequestThreads(django_asgi_app, settings.REQUEST_THREADS),
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
)
