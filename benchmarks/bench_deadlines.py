"""How fast tasks.deadlines reads deadline words, on one core.

Run from the project root::

    python benchmarks/bench_deadlines.py [--phrases 100000] [--repeat 3] [--seed 21]

The corpus is the worked examples in tests/data/deadline_examples.tsv plus generated variants
of the forms real plans use: quarters in Roman and Arabic numerals, dates with "/", "-", "."
and in words, yearless and relative dates, recurring, horizon, continuous and on-demand words,
mixed case, decomposed Unicode, and deadlines inside a sentence of task text. The figures are
the best of ``--repeat`` runs; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import collections
import csv
import random
import sys
import time
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.deadlines import parse_deadline  # noqa: E402

EXAMPLES = ROOT / "tests" / "data" / "deadline_examples.tsv"
ROMAN = ("I", "II", "III", "IV")
LEADS = (
    "",
    "Hoàn thành trong ",
    "hoàn thành ",
    "Thời gian hoàn thành: ",
    "Thời gian: ",
    "Giao Ban Tuyên giáo Quận ủy chủ trì, phối hợp Ủy ban nhân dân quận thực hiện. Hoàn thành ",
    "Ủy ban nhân dân huyện chủ trì, tham mưu Ban Thường vụ Huyện ủy; ",
)


def _date_text(rng: random.Random, day: date) -> str:
    sep = rng.choice("/-.")
    if rng.random() < 0.15:
        return f"ngày {day.day} tháng {day.month} năm {day.year}"
    return f"{day.day:0{rng.choice((1, 2))}d}{sep}{day.month}{sep}{day.year}"


def _once(rng: random.Random, year: int) -> str:
    form = rng.randrange(6)
    if form == 0:
        quarter = rng.randrange(1, 5)
        number = ROMAN[quarter - 1] if rng.random() < 0.7 else str(quarter)
        return f"quý {number}{rng.choice(('/', '-', ' năm '))}{year}"
    if form == 1:
        return f"{rng.choice(('trong ', ''))}tháng {rng.randrange(1, 13)}/{year}"
    if form == 2:
        return f"{rng.choice(('trong ', ''))}năm {year}"
    if form == 3:
        return f"6 tháng {rng.choice(('đầu', 'cuối'))} năm {year}"
    day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    lead = rng.choice(("trước ngày ", "chậm nhất ngày ", "đến ngày ", "ngày "))
    return lead + _date_text(rng, day)


def _recurring(rng: random.Random) -> str:
    every = rng.choice(("hằng", "hàng"))
    return rng.choice(
        (
            f"{every} năm",
            f"Định kỳ {every} năm",
            f"{every} quý",
            f"{every} tháng",
            "định kỳ 6 tháng",
            "6 tháng một lần",
            f"quý {rng.choice(ROMAN)} {every} năm",
            f"tháng {rng.randrange(1, 13)} {every} năm",
            f"định kỳ trước ngày {rng.randrange(1, 29)}/{rng.randrange(1, 13)} {every} năm",
            f"trước ngày {rng.randrange(1, 29)}/{rng.randrange(1, 13)} {every} năm hoặc khi có "
            "yêu cầu đột xuất",
            f"trước ngày {rng.randrange(2, 28)} {every} tháng",
        )
    )


def _other(rng: random.Random, year: int) -> str:
    return rng.choice(
        (
            "thường xuyên",
            "Thực hiện thường xuyên",
            "khi có yêu cầu",
            "đột xuất",
            f"Đến năm {year + 7}",
            f"giai đoạn {year}-{year + 4}",
            f"tầm nhìn đến năm {year + 20}",
            f"trong vòng {rng.choice((7, 15, 30, 45, 60))} ngày kể từ ngày ban hành",
            f"trước {rng.randrange(1, 29)}/{rng.randrange(1, 13)}",
            "sau khi hội nghị kết thúc, tùy tình hình",
            "Ban Tuyên giáo Huyện ủy, Ủy ban nhân dân huyện triển khai thực hiện thường xuyên.",
        )
    )


def _restyle(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        return text.upper()
    if roll < 0.25:
        return unicodedata.normalize("NFD", text)
    if roll < 0.35:
        return text + rng.choice((".", ";", " ", ")"))
    return text


def build_corpus(size: int, seed: int) -> list[tuple[str, date]]:
    """``size`` (phrase, issue date) pairs: every worked example, then generated variants."""
    rng = random.Random(seed)
    with EXAMPLES.open(encoding="utf-8", newline="") as handle:
        corpus = [
            (row["phrase"], date.fromisoformat(row["issued_on"]))
            for row in csv.DictReader(handle, delimiter="\t")
        ]
    makers: tuple[Callable[[random.Random, int], str], ...] = (
        _once,
        _once,
        lambda r, _y: _recurring(r),
        _other,
    )
    while len(corpus) < size:
        year = rng.randrange(2019, 2031)
        issued = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        phrase = rng.choice(LEADS) + rng.choice(makers)(rng, year)
        corpus.append((_restyle(rng, phrase), issued))
    return corpus[:size]


def _best_rate(run: Callable[[], None], size: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return size / best


def main() -> None:
    """Build the corpus, time both passes and print phrases per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()

    corpus = build_corpus(args.phrases, args.seed)

    def parse_only() -> None:
        for text, issued in corpus:
            parse_deadline(text, issued)

    def parse_and_json() -> None:
        for text, issued in corpus:
            parse_deadline(text, issued).as_json(issued)

    kinds = collections.Counter(parse_deadline(text, issued).kind for text, issued in corpus)
    parse_rate = _best_rate(parse_only, len(corpus), args.repeat)
    json_rate = _best_rate(parse_and_json, len(corpus), args.repeat)

    print(f"corpus: {len(corpus):,} phrases (seed {args.seed}), best of {args.repeat} runs")
    print("kinds:  " + ", ".join(f"{kind} {count:,}" for kind, count in kinds.most_common()))
    print(f"parse_deadline:            {parse_rate:>10,.0f} phrases/second")
    print(f"parse_deadline + as_json:  {json_rate:>10,.0f} phrases/second")


if __name__ == "__main__":
    main()
