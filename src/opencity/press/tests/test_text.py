"""The pure functions: one address in every spelling, near copies, folded matching, the score."""

from opencity.lib.text import fold
from opencity.press import text


def test_the_same_article_has_one_key_whatever_the_spelling():
    a = text.normalise_url("https://www.Thoisuhue.example.vn/xa-hoi/bai-1.html/?utm_source=rss&b=2&a=1#top")
    b = text.normalise_url("http://thoisuhue.example.vn/xa-hoi/bai-1.html?a=1&b=2&fbclid=XYZ")
    assert a == b == "thoisuhue.example.vn/xa-hoi/bai-1.html?a=1&b=2"


def test_a_different_query_is_a_different_article():
    assert text.normalise_url("https://x.vn/a?id=1") != text.normalise_url("https://x.vn/a?id=2")


def test_a_very_long_address_keeps_a_bounded_key():
    key = text.normalise_url("https://x.vn/" + "a" * 2000)
    assert len(key) <= 255


def test_near_identical_texts_are_a_few_bits_apart_and_others_far():
    base = ("Đường Trần Phú ngập sâu sau mưa lớn, người dân phường An Cựu bức xúc vì cống thoát nước bị tắc, "
            "rác thải ứ đọng ở miệng cống, nước rút rất chậm khiến xe máy chết máy hàng loạt.")
    copy = base.replace("hàng loạt", "hàng loạt!").upper()  # case and punctuation do not count
    plain = fold(base)  # without diacritics: the same words folded
    other = "Festival Huế 2026 thu hút hơn 200.000 lượt khách trong và ngoài nước với nhiều chương trình nghệ thuật."
    assert text.distance(text.simhash(base), text.simhash(copy)) == 0
    assert text.distance(text.simhash(base), text.simhash(plain)) == 0
    assert text.distance(text.simhash(base), text.simhash(other)) > text.NEAR_COPY_BITS


def test_the_fingerprint_fits_a_signed_bigint_and_its_bands_rebuild_it():
    value = text.simhash("một hai ba bốn năm sáu bảy tám chín mười")
    assert -(2 ** 63) <= value < 2 ** 63
    bands = text.bands(value)
    assert sum(b << (16 * i) for i, b in enumerate(bands)) == value & 0xFFFFFFFFFFFFFFFF


def test_keywords_match_with_and_without_diacritics_on_whole_words():
    assert text.contains_phrase(fold("Nhiều tuyến đường NGẬP ÚNG sau mưa"), "ngập úng")
    assert text.contains_phrase(fold("nhieu tuyen duong ngap ung sau mua"), "ngập úng")
    assert not text.contains_phrase(fold("ngập ngừng"), "ngập úng")
    assert not text.contains_phrase(fold("đèn đường"), "đường đi")


def test_a_ward_name_is_keyed_without_its_prefix():
    assert text.place_key("Phường Thuận Hóa") == "thuan hoa"
    assert text.place_key("Xã A Lưới 1") == "a luoi 1"


def test_the_score_rises_with_reach_negative_words_and_topics_and_stops_at_100():
    quiet = text.score(reach=0, negative=0, topic_weights=[])
    loud = text.score(reach=100_000, negative=2, topic_weights=[15])
    assert quiet == 0
    assert loud == 50 + 16 + 15
    assert text.score(reach=10 ** 12, negative=10, topic_weights=[50, 50]) == 100


def test_negative_words_are_counted_once_each():
    assert text.negative_count(fold("Bức xúc vì ngập, rất bức xúc, đường xuống cấp")) == 3
