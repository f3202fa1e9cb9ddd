"""The icon tag inlines lucide's SVG; never an emoji, never an unknown name."""

import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(text: str) -> str:
    return Template(text).render(Context())


def test_an_icon_is_inline_svg_in_the_text_colour_hidden_from_screen_readers():
    html = render('{% icon "siren" %}')
    assert html.startswith('<svg class="icon icon-siren"')
    assert 'aria-hidden="true"' in html and 'stroke="currentColor"' in html
    assert "<path" in html and "<!--" not in html and html.count("<svg") == 1


def test_a_labelled_icon_is_an_image_with_an_escaped_name():
    html = render('{% icon "phone" label="Gọi <112>" size=16 %}')
    assert 'role="img" aria-label="Gọi &lt;112&gt;"' in html and 'width="16"' in html


@pytest.mark.parametrize("name", ["no-such-icon", "../../settings", "Siren"])
def test_an_unknown_or_unsafe_name_is_a_template_error(name):
    with pytest.raises(TemplateSyntaxError):
        render('{% icon "' + name + '" %}')


def test_a_name_from_data_falls_back_when_empty_or_unknown():
    from opencity.lib.templatetags.icons import icon_exists

    for value in ("", "not-an-icon", "🚦", None):
        html = Template('{% icon name fallback="map-pin" %}').render(Context({"name": value}))
        assert "icon-map-pin" in html
    assert "icon-dog" in Template('{% icon name fallback="map-pin" %}').render(Context({"name": "dog"}))
    assert icon_exists("dog") and not icon_exists("🐕") and not icon_exists("../x")
