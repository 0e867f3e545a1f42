from buzzgroups.routing import websocket_urlpatterns as buzzgroups_sockets

websocket_urlpatterns = [*buzzgroups_sockets]
