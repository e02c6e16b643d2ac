#!/usr/bin/env python3
"""Write fresh.jsonl: a second set of labelled PII test texts, written
after the detector's rules were final and never used to tune them, so its
scores estimate accuracy on text nobody has looked at.

Its people, places and templates differ from both the team corpus and
heldout.jsonl: other name pools, cities and street names, mail headers,
bookings, witness statements, lower-case chat, Spanish letters, and
negatives full of capitalized phrases that are not names (brands, events,
places). Every labelled value is valid for its type.

usage: python3 generate_fresh.py > fresh.jsonl
Offsets are Unicode code points, end exclusive.
"""
import json
import random
import string

from generate_heldout import (Doc, card, card_text, iban, spaced, ssn, nhs, routing, vin, nino, luhn_complete,
                              bad_card, ocr)
import generate_heldout

rng = random.Random(99173)
generate_heldout.rng = rng

GIVEN = ["Haruto", "Zofia", "Yousef", "Aoife", "Chinedu", "Ingeborg", "Paulo", "Mariam", "Tomás", "Kiri",
         "Radhika", "Anders", "Nomvula", "Eleni", "Bartosz", "Maëlle", "Seun", "Ragnhild", "Joaquín", "Lupe",
         "Hyun-woo", "Agnieszka", "Farah", "Cormac", "Thandiwe", "Vikram", "Oona", "Mihai", "Leilani", "Gaspard"]
FAMILY = ["Takahashi", "Wiśniewska", "Haddadi", "Ní Bhriain", "Okonkwo", "Solberg", "Cardoso", "Al-Masri",
          "Echeverría", "Tane", "Iyer", "Sundqvist", "Dlamini", "Papadopoulou", "Zieliński", "Fournier",
          "Adeyemi", "Haugen", "Montoya", "Fifita", "Park", "Kowalczyk", "Siddiqui", "Gallagher", "Mahlangu",
          "Raghavan", "Virtanen", "Popescu", "Kahananui", "de Villiers"]

STREETS_US = ["Cottonwood Trail", "Larkspur Lane", "Harbor View Drive", "Chestnut Street", "Aspen Ridge Road"]
CITIES_US = [("Boise", "ID", "83702"), ("Lincoln", "NE", "68508"), ("Providence", "RI", "02903"),
             ("Spokane", "WA", "99201"), ("El Paso", "TX", "79901")]
STREETS_UK = ["Rosebery Avenue", "Tannery Lane", "Heron Close", "St Mary's Road", "Castle Street"]
CITIES_UK = [("Aberdeen", "AB10 1XG"), ("Exeter", "EX4 3LS"), ("Belfast", "BT7 1NN"), ("Swansea", "SA1 3SN")]
STREETS_ES = ["Calle de Toledo", "Avenida del Puerto", "Calle Larios", "Paseo de la Castellana", "Plaza Mayor"]
CITIES_ES = [("28005", "Madrid"), ("29015", "Málaga"), ("46024", "Valencia"), ("15001", "A Coruña")]
PHONES = ["+44 7700 900983", "+1 (503) 555-0117", "(503) 555-0142", "0131 496 0011", "07700 900218",
          "+34 611 22 33 44", "+61 3 9123 4567", "+353 87 555 0199", "+33 6 12 34 56 78", "020 7946 0321"]
NOT_NAMES = ["Black Friday", "Silicon Valley", "Golden Gate Bridge", "Premier League", "Apple Pay",
             "Visa Platinum", "Google Sheets", "Champions League", "Lake Tahoe", "Mount Kilimanjaro",
             "Rio Grande", "Hong Kong", "Buenos Aires", "Tel Aviv", "Kuala Lumpur"]


def person():
    return rng.choice(GIVEN), rng.choice(FAMILY)


def full(p):
    return f"{p[0]} {p[1]}"


def email(p):
    given = "".join(c for c in p[0].lower() if c.isascii() and c.isalpha())
    family = "".join(c for c in p[1].lower() if c.isascii() and c.isalpha())
    return f"{given}.{family}@{rng.choice(['example.com', 'example.net', 'correo.example.es'])}"


def us_address():
    city, state, zip_code = rng.choice(CITIES_US)
    return f"{rng.randrange(100, 9999)} {rng.choice(STREETS_US)}, {city}, {state} {zip_code}"


def uk_address():
    city, postcode = rng.choice(CITIES_UK)
    return f"{rng.randrange(1, 300)} {rng.choice(STREETS_UK)}, {city} {postcode}"


def es_address():
    code, city = rng.choice(CITIES_ES)
    return f"{rng.choice(STREETS_ES)} {rng.randrange(1, 200)}, {code} {city}"


def t_mail_header(d):
    p, q = person(), person()
    d.text("From: ").name(p).text(" <").pii("EMAIL", email(p)).text(">\nTo: ").name(q)
    d.text("\nSubject: Re: contract renewal\n\nSounds good, I'll sign tomorrow.")


def t_booking(d):
    p = person()
    d.text("Booking confirmed for ").name(p).text(", arriving 12 June. Guest phone: ")
    d.pii("PHONE", rng.choice(PHONES)).text(". Billing address: ").pii("ADDRESS", rng.choice([us_address, uk_address])())
    d.text(".")


def t_witness(d):
    p, q = person(), person()
    d.text("Witness statement taken from ").name(p).text(", who saw ").name(q)
    d.text(" leave the building at about 9 pm.")


def t_chat_lower(d):
    p = person()
    d.text("ok so ").name(p).text(" said to call her on ").pii("PHONE", rng.choice(PHONES))
    d.text(" after lunch?? also her card is ")
    d.pii("CREDIT_DEBIT_NUMBER", card_text(card(), "-")).text(" lol dont share")


def t_spanish_letter(d):
    p = person()
    d.text("Estimada Sra. ").name(p).text(":\nLe confirmamos el cambio de domicilio a ").pii("ADDRESS", es_address())
    d.text(". Su IBAN ").pii("INTERNATIONAL_BANK_ACCOUNT_NUMBER", spaced(iban())).text(" queda registrado.\nUn saludo.")


def t_payroll(d):
    p = person()
    d.text("Payroll update for ").name(p).text(": routing ").pii("BANK_ROUTING", routing())
    d.text(", SSN ").pii("SSN", ssn()).text(", effective next pay period.")


def t_gp_letter(d):
    p = person()
    d.text("Dear Dr. ").name(person()).text(",\nI am writing about ").name(p).text(", NHS ")
    d.pii("UK_NATIONAL_HEALTH_SERVICE_NUMBER", nhs()).text(", who lives at ").pii("ADDRESS", uk_address()).text(".")


def t_fleet(d):
    d.text("Fleet record: VIN ").pii("VEHICLE_IDENTIFICATION_NUMBER", vin()).text(" assigned to ").name(person())
    d.text(" from Monday.")


def t_nino_form(d):
    prefix, digits, suffix = nino()
    d.text("Employee: ").name(person()).text("\nNI number: ")
    d.pii("UK_NATIONAL_INSURANCE_NUMBER", f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}").text("\nStart date: 3 March")


def t_ocr_statement(d):
    value = spaced(iban())
    d.text("STATEMENT (scanned)\nACCOUNT HOLDER ").name(person()).text("\nIBAN ")
    d.pii("INTERNATIONAL_BANK_ACCOUNT_NUMBER", ocr(value)).text("\nBALANCE 1,204.55")


def t_wrapped_card(d):
    n = card_text(card())
    cut = n.index(" ", n.index(" ") + 1) if n.count(" ") > 2 else n.index(" ")
    d.text("Card number (as printed on the form): ")
    d.pii("CREDIT_DEBIT_NUMBER", n[:cut] + "\n" + n[cut + 1:]).text("\nExpiry ").pii("CREDIT_DEBIT_EXPIRY", "11/29")


def t_negative_brands(d):
    picks = rng.sample(NOT_NAMES, 3)
    d.text(f"Sales doubled on {picks[0]} thanks to {picks[1]}. Next offsite: {picks[2]}. ")
    d.text("Test card ").text(card_text(bad_card())).text(" was declined as expected.")


def t_negative_report(d):
    picks = rng.sample(NOT_NAMES, 2)
    d.text(f"The {picks[0]} campaign beat the {picks[1]} numbers. Ticket 5521-0093 closed; build 7.1.12 ships Friday.")


TEMPLATES = [t_mail_header, t_booking, t_witness, t_chat_lower, t_spanish_letter, t_payroll, t_gp_letter,
             t_fleet, t_nino_form, t_ocr_statement, t_wrapped_card, t_negative_brands, t_negative_report]


def main():
    for i in range(390):
        template = TEMPLATES[i % len(TEMPLATES)]
        d = Doc()
        template(d)
        print(json.dumps({"id": f"fresh-{i:04d}", "text": "".join(d.parts), "entities": d.entities,
                          "kind": template.__name__[2:]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
