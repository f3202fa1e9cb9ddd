"""The Atom index of CAP messages (``/alerts/feed.atom``), as CAP aggregators read it.

Each entry is one message: its ``alternate`` link is the CAP document, a ``related`` link the
warning's page.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from opencity.lib.urls import absolute

from . import selectors
from .cap import xml_text
from .models import Message, MsgType


class CapAtomFeed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # Absolute like the entry's own link (Django makes that one absolute from the request).
        page = urljoin(item["link"], item["page_path"])
        handler.addQuickElement("link", "", {"rel": "related", "type": "text/html", "href": page})


class WarningFeed(Feed):
    feed_type = CapAtomFeed

    def title(self):
        return _("%(site)s: disaster and weather warnings (CAP 1.2)") % {"site": settings.SITE_NAME}

    def link(self):
        return reverse("alerts:list")

    def feed_url(self):
        return reverse("alerts:feed")

    def subtitle(self):
        return _("Every warning message as an OASIS CAP 1.2 document.")

    def author_name(self):
        return settings.OPENCITY_CAP_SENDER_NAME

    def items(self):
        return selectors.feed_messages()

    def item_title(self, item: Message):
        prefix = {MsgType.UPDATE: _("Update"), MsgType.CANCEL: _("Cancelled")}.get(item.msg_type)
        headline = xml_text(item.headline_vi)  # as in the CAP document: no 500 on a stray control
        return f"[{prefix}] {headline}" if prefix else headline

    def item_description(self, item: Message):
        return xml_text(item.note if item.msg_type == MsgType.CANCEL and item.note else item.description_vi)

    def item_link(self, item: Message):
        return reverse("alerts:cap", args=[item.pk])

    def get_object(self, request, *args, **kwargs):
        self.request = request  # the entries' ids on the host that serves the feed
        return super().get_object(request, *args, **kwargs)

    def item_guid(self, item: Message):
        return absolute(reverse("alerts:cap", args=[item.pk]), getattr(self, "request", None))

    def item_pubdate(self, item: Message):
        return timezone.localtime(item.sent)  # +07:00, as in the CAP documents

    def item_updateddate(self, item: Message):
        return timezone.localtime(item.sent)

    def item_author_name(self, item: Message):
        return xml_text(item.sender_name)

    def item_categories(self, item: Message):
        return [item.category, item.severity]

    def item_extra_kwargs(self, item: Message):
        return {"page_path": reverse("alerts:detail", args=[item.alert_id])}
