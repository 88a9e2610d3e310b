"""Build-and-sign time per request: foas-tui's signer against the official aliyunsdkcore, in one run.

Usage: python bench/signing.py [--rounds 15] [--number 2000]. Needs the test extra (aliyunsdkcore).
Both sides build a ListJob request with the same parameters and sign it; nothing is sent.
"""

from __future__ import annotations

import argparse
import statistics
import timeit

from foas_tui.api.operations import OPERATIONS
from foas_tui.api.signing import Credentials, RoaSigner, build_request

QUERY = [("pageSize", "20"), ("pageIndex", "1"), ("jobType", "FLINK_STREAM"), ("jobName", "dws_gmv_1min")]


def ours():
    signer = RoaSigner(Credentials("testid", "testsecret"))
    op = OPERATIONS["ListJob"]

    def run() -> None:
        request = build_request(base_url="https://foas.cn-hangzhou.aliyuncs.com", method=op.method,
                                action=op.name, uri_pattern=op.path, region_id="cn-hangzhou",
                                path_params={"projectName": "realtime_dw"}, query_params=QUERY)
        signer.sign(request)

    return run


def sdk():
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkfoas.request.v20181111.ListJobRequest import ListJobRequest

    client = AcsClient("testid", "testsecret", "cn-hangzhou")
    endpoint = "foas.cn-hangzhou.aliyuncs.com"

    def run() -> None:
        request = ListJobRequest()
        request.set_projectName("realtime_dw")
        request.set_pageSize(20)
        request.set_pageIndex(1)
        request.set_jobType("FLINK_STREAM")
        request.set_jobName("dws_gmv_1min")
        request.set_accept_format("JSON")
        client._make_http_response(endpoint, request, 10, 5)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    runners = {"foas-tui": ours(), "aliyunsdkcore": sdk()}
    times: dict[str, list[float]] = {k: [] for k in runners}
    for _ in range(args.rounds):  # interleave so that machine noise hits both alike
        for name, fn in runners.items():
            times[name].append(timeit.timeit(fn, number=args.number) / args.number * 1e6)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{'signer':<15}{'median us/request':>20}{'min':>10}")
    for name in runners:
        print(f"{name:<15}{med[name]:>20.1f}{min(times[name]):>10.1f}")
    # The ratio of each round's pair (measured back to back), then their median: a burst of load elsewhere
    # moves one round's pair together, where it would move one side's median alone.
    ratio = statistics.median(a / b for a, b in zip(times["foas-tui"], times["aliyunsdkcore"], strict=True))
    print(f"ratio foas-tui / aliyunsdkcore = {ratio:.2f}, the median of {args.rounds} rounds' ratios (goal <= 1.0)")
    # Machine-readable lines for bench/run_all.py: RESULT <name> <value> <unit> [goal <op> <target>]
    print(f"RESULT signing_foas_tui {med['foas-tui']:.2f} us")
    print(f"RESULT signing_aliyunsdkcore {med['aliyunsdkcore']:.2f} us")
    print(f"RESULT signing_vs_sdk {ratio:.3f} x goal <= 1.0")


if __name__ == "__main__":
    main()
