"""Signing out erases what field work keeps on the device.

The sign-out response carries ``Clear-Site-Data: "storage"``: the browser deletes the site's
IndexedDB (the encrypted offline store and its wrapped key), its caches and its service worker.
The device key was only ever in memory; after this nothing of the field work remains.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class ClearFieldDataOnSignOut:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "POST"
            and request.path_info == reverse("account_logout")
            and response.status_code < 400
        ):
            response["Clear-Site-Data"] = '"storage"'
        return response
