"""The query string is `urllib.parse.urlencode` output (what aliyunsdkcore sends, common.md section 9), whatever
fast path builds it: every ASCII character, text around the characters the quoting itself produces ('%', '+'),
non-ASCII text, and the length the refresh budgets its calls with."""

from __future__ import annotations

import random
from urllib.parse import quote_plus, urlencode

import pytest

from foas_tui.api.signing import encode_query, quoted_length

ASCII = "".join(chr(code) for code in range(128))


@pytest.mark.parametrize("value", [
    ASCII, ASCII[::-1], "a,b,c", "100% + 1 = 101%", "%2C", "+ %", " ", "", "job one,job two",
    "实时作业,ads_report", "é+%,", ",".join(f"job_{i:04d}" for i in range(300)),
])
def test_values_are_encoded_as_urlencode_does(value: str) -> None:
    query = [("jobNames", value), ("jobType", "FLINK_STREAM"), ("RegionId", "cn-hangzhou")]
    assert encode_query(query) == urlencode(query)
    assert quoted_length(value) == len(quote_plus(value))


def test_random_text_is_encoded_as_urlencode_does() -> None:
    rng = random.Random(16)
    alphabet = ASCII + "é实\u00a0\U0001f600"
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert encode_query([("k", value)]) == urlencode([("k", value)]), repr(value)
