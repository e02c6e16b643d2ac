#!/usr/bin/env python3
"""Write a large, mostly clean text as JSONL documents of about 4 KB each:
ordinary business prose with one line of PII in about every tenth
document, the density of mail archives and document stores.

usage: cleantext.py MEGABYTES > clean.jsonl
The text is deterministic, so every run measures the same input.
"""
import json
import random
import sys

SENTENCES = [
    "The quarterly planning meeting moved to Thursday afternoon.",
    "Please review the attached draft before the end of the week.",
    "Our team shipped the new onboarding flow to all customers yesterday.",
    "The build on the staging cluster passed after the dependency update.",
    "We agreed to revisit the pricing page once the survey results are in.",
    "Remember that the office is closed on the public holiday next Monday.",
    "The vendor confirmed that the replacement parts will arrive in March.",
    "Customer Success will follow up on the open questions from the call.",
    "Version 4.2.1 fixes the crash when exporting large reports to PDF.",
    "Lunch and learn sessions resume in the new year, room 3B as usual.",
    "The incident review found no data loss and no customer impact.",
    "Invoices are processed within thirty days of receipt.",
    "El equipo revisará la propuesta y enviará comentarios mañana.",
    "Thanks again for the thoughtful feedback on the roadmap document.",
    "The new API rate limits apply to all plans from the first of the month.",
]
PII_LINES = [
    "Contact Thabo Nkosi at thabo.nkosi@example.com or (415) 555-0134.",
    "Card 4111 1111 1111 1111, expiry 09/28, CVV 123 for the renewal.",
    "Ship to 88 Spadina Avenue, Toronto, ON M5V 2J4 before Friday.",
    "IBAN GB82 WEST 1234 5698 7654 32 for the refund, please.",
    "Login from 198.51.100.23 by user siobhan.byrne@example.org.",
]


def main():
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 4
    rng = random.Random(7)
    total, index = 0, 0
    while total < megabytes * 1_000_000:
        paragraph = []
        size = 0
        while size < 4000:
            sentence = rng.choice(SENTENCES)
            paragraph.append(sentence)
            size += len(sentence) + 1
        if index % 10 == 0:
            paragraph.insert(rng.randrange(len(paragraph)), rng.choice(PII_LINES))
        text = " ".join(paragraph)
        print(json.dumps({"id": f"clean-{index:05d}", "text": text}, ensure_ascii=False))
        total += len(text.encode())
        index += 1


if __name__ == "__main__":
    main()
