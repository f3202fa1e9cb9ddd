"""Press items on the console's live feed (``lib.feed``): a new item scoring
``OPENCITY_PRESS_FEED_SCORE`` or more is a happening of subject ``press`` (``press.new``), placed
in the ward its text names. Payload: the title, the source's name, the public author handle, the
score and the topics — nothing else about anyone."""

from __future__ import annotations

from opencity.lib import feed


def publish_item(item, topics) -> None:
    """Called by ``services.ingest`` inside the transaction that stores the item."""
    area = item.area
    feed.publish(
        kind="press.new", subject="press", subject_id=item.pk, ref=item.ref, area_id=item.area_id,
        lat=area.lat if area is not None else None, lon=area.lon if area is not None else None,
        severity=feed.WARNING if item.score >= 80 else feed.INFO,
        payload={"title": item.headline[:200], "source": item.source.name, "author": item.author,
                 "score": item.score, "topics": [t.name for t in topics], "url": item.url},
    )
