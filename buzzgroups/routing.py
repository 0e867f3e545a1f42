from django.urls import path

from buzzgroups import consumers

websocket_urlpatterns = [
    path("ws/w/<str:code>/wall/", consumers.WallConsumer.as_asgi()),
    path("ws/w/<str:code>/console/", consumers.ConsoleConsumer.as_asgi()),
    path("ws/p/<str:code>/", consumers.PhoneConsumer.as_asgi()),
]
