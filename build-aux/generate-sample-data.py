#!/usr/bin/env python3
"""Generate the fictional sample providers for every Wegwijzer plugin.

Writes plugins/<id>/data/providers.json (an array of Open Referral HSDS 3.0
service objects) for each theme plugin, then validates those files and the
hand-written plugins/<id>/data/theme.json next to them.

Everything here is invented. Every record carries the `sample-data` attribute,
every name ends in " (voorbeeld)", every web and mail domain ends in
".voorbeeld.example" (a reserved TLD) and every phone number's subscriber part
starts with 000, which no real Dutch number does.

The output is deterministic: fixed seeds, no set iteration, sorted keys.

Usage:
  build-aux/generate-sample-data.py          write the files, then validate
  build-aux/generate-sample-data.py --check  validate the files on disk and
                                             fail if they are out of date
"""

import argparse
import datetime
import json
import random
import re
import sys
import unicodedata
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLUGINS = ["finance", "care", "police", "municipality", "media", "legal"]

# Providers per plugin; every count is at least 32.
PROVIDER_COUNT = {
    "finance": 36,
    "care": 40,
    "police": 33,
    "municipality": 32,
    "media": 32,
    "legal": 36,
}

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://wegwijzer.example/sample-data")

ASSURER_EMAIL = "redactie@wegwijzer.example"
DOMAIN_SUFFIX = ".voorbeeld.example"
NAME_SUFFIX = " (voorbeeld)"
ASSURED_FIRST = datetime.date(2026, 3, 1)
ASSURED_LAST = datetime.date(2026, 11, 15)
TIMEZONE = "Europe/Amsterdam"

THEME_NAMES = {
    "finance": "Business services",
    "care": "Care",
    "police": "Police",
    "municipality": "Municipalities",
    "media": "Communication and media",
    "legal": "Legal position",
}

FACT_NAMES = {
    "working-name-ok": "Working name accepted",
    "no-bsn-needed": "No BSN needed",
    "uninsured-ok": "Uninsured welcome",
    "anonymous-ok": "Anonymous possible",
    "staff-trained": "Staff trained in sex work",
    "interpreter": "Interpreter available",
    "wheelchair": "Wheelchair accessible",
    "walk-in": "Walk-in",
    "evening-hours": "Evening hours",
}
FACTS = list(FACT_NAMES)
SAMPLE_CODE = "sample-data"

LANGUAGES = {
    "nl": ("Nederlands", "het Nederlands"),
    "en": ("English", "het Engels"),
    "ro": ("Română", "het Roemeens"),
    "bg": ("Български", "het Bulgaars"),
    "hu": ("Magyar", "het Hongaars"),
    "pl": ("Polski", "het Pools"),
    "es": ("Español", "het Spaans"),
    "pt": ("Português", "het Portugees"),
    "ru": ("Русский", "het Russisch"),
    "uk": ("Українська", "het Oekraïens"),
}
LANGUAGE_ORDER = list(LANGUAGES)
# Languages other than Dutch and English, weighted by how often outreach
# workers meet them.
EXTRA_LANGUAGE_WEIGHTS = [("ro", 4), ("bg", 3), ("hu", 3), ("es", 2),
                          ("pt", 1), ("pl", 1), ("ru", 1), ("uk", 1)]

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES_NL = {"MO": "maandag", "TU": "dinsdag", "WE": "woensdag",
                "TH": "donderdag", "FR": "vrijdag", "SA": "zaterdag",
                "SU": "zondag"}
EVENING_FROM = "19:00"  # a schedule closing at or after this is an evening

# ---------------------------------------------------------------------------
# Cities: province, area code, centre and streets with their real postcode
# district (the first four digits).

CITIES = {
    "Amsterdam": {
        "province": "Noord-Holland", "area": "20", "prefix": "10",
        "centre": (52.3702, 4.8952),
        "streets": [("Lindengracht", "1015"), ("Haarlemmerdijk", "1013"),
                    ("Rozengracht", "1016"), ("Overtoom", "1054"),
                    ("Kinkerstraat", "1053"), ("Ferdinand Bolstraat", "1072"),
                    ("Van Woustraat", "1074"), ("Javastraat", "1094"),
                    ("Czaar Peterstraat", "1018"), ("Wibautstraat", "1091"),
                    ("Plantage Middenlaan", "1018"), ("Jan Evertsenstraat", "1056")],
    },
    "Rotterdam": {
        "province": "Zuid-Holland", "area": "10", "prefix": "30",
        "centre": (51.9225, 4.4792),
        "streets": [("Coolsingel", "3012"), ("Witte de Withstraat", "3012"),
                    ("Nieuwe Binnenweg", "3014"), ("Mathenesserlaan", "3014"),
                    ("Kruiskade", "3012"), ("Meent", "3011"),
                    ("Goudsesingel", "3031"), ("Zwart Janstraat", "3035"),
                    ("Beijerlandselaan", "3074"), ("Westblaak", "3012"),
                    ("Schiedamseweg", "3025"), ("Vierambachtsstraat", "3022")],
    },
    "Den Haag": {
        "province": "Zuid-Holland", "area": "70", "prefix": "25",
        "centre": (52.0705, 4.3007),
        "streets": [("Prinsegracht", "2512"), ("Lange Voorhout", "2514"),
                    ("Laan van Meerdervoort", "2517"), ("Frederik Hendriklaan", "2582"),
                    ("Weimarstraat", "2562"), ("Stationsweg", "2515"),
                    ("Torenstraat", "2513"), ("Zoutmanstraat", "2518"),
                    ("Paviljoensgracht", "2512"), ("Herengracht", "2511"),
                    ("Loosduinseweg", "2571"), ("Fahrenheitstraat", "2561")],
    },
    "Utrecht": {
        "province": "Utrecht", "area": "30", "prefix": "35",
        "centre": (52.0907, 5.1214),
        "streets": [("Oudegracht", "3511"), ("Biltstraat", "3572"),
                    ("Amsterdamsestraatweg", "3513"), ("Nachtegaalstraat", "3581"),
                    ("Twijnstraat", "3511"), ("Vleutenseweg", "3532"),
                    ("Kanaalstraat", "3531"), ("Voorstraat", "3512"),
                    ("Lange Nieuwstraat", "3512"), ("Burgemeester Reigerstraat", "3581"),
                    ("Croeselaan", "3521"), ("Adelaarstraat", "3514")],
    },
    "Eindhoven": {
        "province": "Noord-Brabant", "area": "40", "prefix": "56",
        "centre": (51.4416, 5.4697),
        "streets": [("Kruisstraat", "5612"), ("Woenselse Markt", "5612"),
                    ("Vestdijk", "5611"), ("Boschdijk", "5621"),
                    ("Geldropseweg", "5611"), ("Hoogstraat", "5615"),
                    ("Stratumsedijk", "5611"), ("Aalsterweg", "5615"),
                    ("Willemstraat", "5616"), ("Kleine Berg", "5611"),
                    ("Hertogstraat", "5611"), ("Tongelresestraat", "5613")],
    },
    "Groningen": {
        "province": "Groningen", "area": "50", "prefix": "97",
        "centre": (53.2194, 6.5665),
        "streets": [("Oosterstraat", "9711"), ("Herestraat", "9711"),
                    ("Folkingestraat", "9711"), ("Nieuwe Ebbingestraat", "9712"),
                    ("Oude Ebbingestraat", "9712"), ("Zuiderdiep", "9711"),
                    ("Hereweg", "9725"), ("Korreweg", "9715"),
                    ("Paterswoldseweg", "9726"), ("Damsterdiep", "9713"),
                    ("Poelestraat", "9711"), ("Westerhaven", "9718")],
    },
    "Arnhem": {
        "province": "Gelderland", "area": "26", "prefix": "68",
        "centre": (51.9851, 5.8987),
        "streets": [("Steenstraat", "6828"), ("Jansbuitensingel", "6811"),
                    ("Velperweg", "6824"), ("Amsterdamseweg", "6814"),
                    ("Rijnkade", "6811"), ("Bakkerstraat", "6811"),
                    ("Utrechtseweg", "6812"), ("Hommelstraat", "6821"),
                    ("Willemsplein", "6811"), ("Klarendalseweg", "6822"),
                    ("Sweerts de Landasstraat", "6814")],
    },
    "Nijmegen": {
        "province": "Gelderland", "area": "24", "prefix": "65",
        "centre": (51.8426, 5.8528),
        "streets": [("Molenstraat", "6511"), ("Van Welderenstraat", "6511"),
                    ("Sint Annastraat", "6524"), ("Graafseweg", "6512"),
                    ("Tweede Walstraat", "6511"), ("Hertogstraat", "6511"),
                    ("Groesbeekseweg", "6521"), ("Daalseweg", "6521"),
                    ("Smetiusstraat", "6511"), ("Berg en Dalseweg", "6521"),
                    ("Oranjesingel", "6511"), ("Hatertseweg", "6533")],
    },
    "Maastricht": {
        "province": "Limburg", "area": "43", "prefix": "62",
        "centre": (50.8514, 5.6910),
        "streets": [("Wycker Brugstraat", "6221"), ("Rechtstraat", "6221"),
                    ("Grote Gracht", "6211"), ("Boschstraat", "6211"),
                    ("Kommel", "6211"), ("Stationsstraat", "6221"),
                    ("Tongersestraat", "6211"), ("Brusselsestraat", "6211"),
                    ("Sint Pieterstraat", "6211"), ("Akerstraat", "6221"),
                    ("Hoenderstraat", "6211"), ("Meerssenerweg", "6222")],
    },
    "Leeuwarden": {
        "province": "Fryslân", "area": "58", "prefix": "89",
        "centre": (53.2012, 5.7999),
        "streets": [("Nieuwestad", "8911"), ("Voorstreek", "8911"),
                    ("Wirdumerdijk", "8911"), ("Tweebaksmarkt", "8911"),
                    ("Ruiterskwartier", "8911"), ("Harlingerstraatweg", "8913"),
                    ("Schrans", "8932"), ("Oostergrachtswal", "8921"),
                    ("Tuinen", "8911"), ("Groot Schavernek", "8911"),
                    ("Spanjaardslaan", "8917")],
    },
}
CITY_ORDER = list(CITIES)
MIN_CITIES = 8
MAX_JITTER = 0.02    # degrees added to a city centre
MAX_DISTANCE = 0.03  # degrees a location may lie from its city centre

# Dutch postcodes never use the letters F, I, O, Q, U, Y, nor SA, SD, SS.
POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
POSTCODE_PAIRS_EXCLUDED = ["SA", "SD", "SS"]

# ---------------------------------------------------------------------------
# Name material. All invented; the patterns avoid names of real organisations.

CORES = ["De Linde", "De Kastanje", "Het Baken", "De Wilg", "De Esdoorn",
         "De Meander", "Het Kompas", "De Vuurtoren", "De Kompasroos",
         "Noorderlicht", "Zuiderzon", "De Waterlelie", "De Horizon", "De Brug",
         "De Poort", "Het Anker", "De Lantaarn", "De Hazelaar", "De Populier",
         "De Plataan", "Het Veer", "De Steiger", "De Sluis", "De Kade",
         "De Werf", "Het Erf", "De Boog", "De Klaproos", "De Korenbloem",
         "De Zonnebloem", "De Reiger", "De IJsvogel", "De Zwaluw", "De Merel",
         "Het Venster", "De Overkant", "Het Kruispunt", "De Eik", "De Vlier",
         "De Berk", "De Vijverhof", "Het Hofje", "De Gaard", "De Wissel",
         "Het Spoor", "De Lindehof", "De Oever", "De Singel", "De Dijk",
         "Het Tij"]
BIRDS = ["Lepelaar", "Grutto", "Kievit", "Tureluur", "Scholekster",
         "Roerdomp", "Wulp", "Zilverreiger", "Aalscholver", "Kluut", "Putter",
         "Boomklever"]
PEER_NAMES = ["Rood Licht Werkt", "Eigen Koers", "Vrij Werk", "Onze Stem",
              "Naast Elkaar", "Trots & Vrij", "Wij Werken Ook", "Gewoon Werk",
              "Zij aan Zij", "Eigen Regie", "Werk met Trots", "Sterk Samen",
              "Het Gesprek", "Open Kaart"]
SURNAMES = ["Van Dijk", "De Wit", "Jansen", "Bakker", "Visser", "Smit",
            "Meijer", "De Boer", "Mulder", "De Groot", "Bos", "Vos", "Peters",
            "Hendriks", "Van Leeuwen", "Dekker", "Brouwer", "De Graaf",
            "Van der Meer", "Kok", "Jacobs", "De Haan", "Vermeulen",
            "Van den Berg", "Schouten", "Willems", "Hoekstra", "Postma",
            "Kuipers", "Veenstra", "Maas", "Claessens", "Hermans", "Peeters",
            "Verhoeven", "Van Beek", "Hofman", "Koster", "El Amrani", "Yılmaz",
            "Kaya", "Bouzid", "Tjon", "Nguyen", "Santos", "Öztürk"]

# ---------------------------------------------------------------------------
# Schedules: (byday, opens_at, closes_at, description or None).

WEEKDAYS = "MO,TU,WE,TH,FR"
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"

SCHED_OFFICE = [(WEEKDAYS, "09:00", "17:00", None)]
SCHED_OFFICE_830 = [(WEEKDAYS, "08:30", "17:00", None)]
SCHED_OFFICE_FOUR = [("MO,TU,WE,TH", "09:00", "17:30", None)]
SCHED_PRACTICE = [(WEEKDAYS, "08:00", "17:00", None)]
SCHED_CLINIC = [(WEEKDAYS, "08:30", "16:30", None)]
SCHED_PART_TIME = [("TU,WE,TH", "10:00", "16:00", None)]
SCHED_PEER = [("TU,WE,TH", "12:00", "17:00", None)]
SCHED_PEER_LONG = [("MO,WE,FR", "11:00", "18:00", None)]
SCHED_APPOINTMENT = [(WEEKDAYS, "09:00", "17:00", "Alleen op afspraak")]
SCHED_APPOINTMENT_EARLY = [(WEEKDAYS, "08:00", "16:00", "Alleen op afspraak")]
SCHED_PHONE_LINE = [(ALL_DAYS, "09:00", "18:00", "Telefonisch bereikbaar")]
SCHED_DESK = [(WEEKDAYS, "09:00", "16:00", None)]
SCHED_DESK_LONG = [(WEEKDAYS, "08:30", "17:30", None)]

EVENING_SLOTS = [
    ("TH", "17:00", "20:00", "Avondspreekuur"),
    ("TU", "17:30", "20:30", "Avondspreekuur"),
    ("WE", "18:00", "21:00", "Avondspreekuur"),
    ("MO", "17:00", "19:30", "Avondspreekuur"),
]
EVENING_SLOTS_PEER = [
    ("TH", "18:00", "22:00", "Avondbijeenkomst"),
    ("WE", "19:00", "22:00", "Avondbijeenkomst"),
    ("TU,TH", "18:00", "21:00", "Open in de avond"),
]
EVENING_SLOTS_APPOINTMENT = [
    ("TH", "17:00", "21:00", "Avondafspraken, alleen op afspraak"),
    ("TU", "17:00", "20:00", "Avondafspraken, alleen op afspraak"),
]
EVENING_SLOTS_PHONE = [
    (ALL_DAYS, "18:00", "22:00", "Telefonisch bereikbaar in de avond"),
    (WEEKDAYS, "18:00", "23:00", "Telefonisch bereikbaar in de avond"),
]
WALK_IN_DESCRIPTION = "Inloopspreekuur, zonder afspraak"
WALK_IN_SLOTS = [
    ("TU,TH", "13:00", "16:00", WALK_IN_DESCRIPTION),
    ("MO,WE,FR", "10:00", "12:00", WALK_IN_DESCRIPTION),
    ("WE", "13:30", "16:30", WALK_IN_DESCRIPTION),
]
SATURDAY_SLOTS = [
    ("SA", "10:00", "13:00", None),
    ("SA", "09:30", "12:30", None),
]


class Category:
    """How to invent providers of one category."""

    def __init__(self, names, org_kind, bases, facts, schedules,
                 evening=0.3, evening_slots=EVENING_SLOTS, saturday=0.0,
                 languages=1, mail=("info",)):
        self.names = names              # [(service pattern, organisation pattern)]
        self.org_kind = org_kind        # short Dutch organisation description
        self.bases = bases              # first sentence of the description
        self.facts = facts              # {fact code: probability}
        self.schedules = schedules      # [[schedule tuple, ...], ...]
        self.evening = evening          # probability of an evening slot
        self.evening_slots = evening_slots
        self.saturday = saturday        # probability of a Saturday morning
        self.languages = languages      # 0 few, 1 some, 2 many languages
        self.mail = mail                # local parts for e-mail addresses


CATEGORIES = {
    "finance": {
        "bank": Category(
            names=[("{bird} Bank", "{bird} Bank N.V."),
                   ("Spaarbank {bird}", "Coöperatieve Spaarbank {bird} U.A."),
                   ("Handelsbank {bird}", "Handelsbank {bird} N.V.")],
            org_kind="Bank voor particulieren en ondernemers",
            bases=["Opent zakelijke rekeningen voor zzp'ers, ook als je in de seksbranche werkt.",
                   "Heeft een vast aanspreekpunt voor ondernemers in de sekswerkbranche.",
                   "Je branche is geen reden voor een afwijzing; bij een besluit krijg je altijd uitleg.",
                   "Denkt mee als je rekening eerder is geweigerd of opgezegd.",
                   "Zakelijke rekening voor eenmanszaken; neem je KvK-uittreksel en een geldig identiteitsbewijs mee."],
            facts={"staff-trained": 0.9, "anonymous-ok": 0.3,
                   "interpreter": 0.3, "wheelchair": 0.7},
            schedules=[SCHED_OFFICE, SCHED_OFFICE_830, SCHED_DESK_LONG],
            evening=0.3, saturday=0.3, languages=0, mail=("zakelijk", "info")),
        "insurer": Category(
            names=[("Onderlinge {core}", "Onderlinge Waarborgmaatschappij {core} U.A."),
                   ("{core} Verzekeringen", "{core} Verzekeringen N.V."),
                   ("Verzekeringsadvies {sn}", "Verzekeringsadvies {sn} B.V."),
                   ("Assurantiekantoor {sn}", "Assurantiekantoor {sn}")],
            org_kind="Verzekeraar en adviseur voor zelfstandigen",
            bases=["Arbeidsongeschiktheidsverzekering voor zelfstandigen, ook voor sekswerkers.",
                   "Bedrijfsaansprakelijkheids- en arbeidsongeschiktheidsverzekeringen waarop je beroep gewoon vermeld staat.",
                   "Onafhankelijk adviseur die polissen van meerdere verzekeraars voor je vergelijkt.",
                   "Verzekert zelfstandigen in zorg, wellness en sekswerk en legt de voorwaarden in gewone taal uit.",
                   "Adviseert over verzekeren én over zelf sparen voor een periode zonder inkomen."],
            facts={"staff-trained": 0.9, "anonymous-ok": 0.4,
                   "interpreter": 0.2, "wheelchair": 0.5},
            schedules=[SCHED_OFFICE, SCHED_OFFICE_FOUR],
            evening=0.3, languages=0, mail=("info", "advies")),
        "accountant": Category(
            names=[("Administratiekantoor {sn}", "Administratiekantoor {sn}"),
                   ("Boekhoudpraktijk {core}", "Boekhoudpraktijk {core}"),
                   ("{sn} Accountants", "{sn} Accountants B.V."),
                   ("Fiscaal en Administratief Bureau {core}", "Bureau {core} B.V.")],
            org_kind="Administratie- en belastingkantoor voor zzp'ers",
            bases=["Boekhouding en aangifte inkomstenbelasting voor zzp'ers, voor een vaste prijs per jaar.",
                   "Helpt met je administratie, btw-aangifte en jaarcijfers, of je nu zelfstandig werkt of via een exploitant.",
                   "Administratiekantoor met een spreekuur voor starters; bonnetjes en facturen lever je ook digitaal aan.",
                   "Bekijkt met je welke kosten je mag aftrekken en hoeveel je opzij moet zetten voor de belasting.",
                   "Boekhouder met ervaring in de sekswerkbranche; je krijgt vooraf een duidelijke prijsopgave."],
            facts={"staff-trained": 0.8, "working-name-ok": 0.5,
                   "anonymous-ok": 0.3, "interpreter": 0.3, "wheelchair": 0.4},
            schedules=[SCHED_OFFICE, SCHED_OFFICE_FOUR, SCHED_PART_TIME],
            evening=0.35, languages=1, mail=("info", "administratie")),
        "business-registration": Category(
            names=[("Startersloket {core}", "Stichting Startersloket {core}"),
                   ("Ondernemershuis {core}", "Stichting Ondernemershuis {core}"),
                   ("Zzp-spreekuur {core}", "Stichting Zzp-spreekuur {core}"),
                   ("Startpunt Ondernemen {core}", "Stichting Startpunt Ondernemen {core}")],
            org_kind="Advies en begeleiding voor startende ondernemers",
            bases=["Helpt je voorbereiden op de inschrijving bij de KvK: handelsnaam, rechtsvorm en wat er openbaar wordt.",
                   "Startersspreekuur voor zelfstandigen, met uitleg over het Handelsregister en het afschermen van je adres.",
                   "Gratis ondernemerscoach voor sekswerkers die voor zichzelf willen beginnen.",
                   "Helpt met een ondernemersplan, de KvK-inschrijving en je eerste contact met de Belastingdienst.",
                   "Legt uit wat het verschil is tussen werken als zelfstandige en werken via een exploitant."],
            facts={"staff-trained": 0.8, "working-name-ok": 0.6,
                   "no-bsn-needed": 0.6, "anonymous-ok": 0.5,
                   "interpreter": 0.5, "wheelchair": 0.6, "walk-in": 0.6},
            schedules=[SCHED_PART_TIME, SCHED_DESK, SCHED_OFFICE],
            evening=0.3, languages=1, mail=("info", "spreekuur")),
    },
    "care": {
        "gp": Category(
            names=[("Huisartsenpraktijk {core}", "Huisartsenpraktijk {core}"),
                   ("Gezondheidscentrum {core}", "Stichting Gezondheidscentrum {core}"),
                   ("Huisartsen {sn}", "Maatschap Huisartsen {sn}"),
                   ("Huisartsenpraktijk {sn}", "Huisartsenpraktijk {sn}")],
            org_kind="Huisartsenpraktijk",
            bases=["Huisartsenpraktijk die nieuwe patiënten aanneemt, ook als je in de seksbranche werkt.",
                   "Huisartsen die gewend zijn aan vragen over seksuele gezondheid, anticonceptie en klachten door je werk.",
                   "Kleine praktijk met vaste huisartsen, zodat je niet steeds opnieuw je verhaal hoeft te doen.",
                   "Gezondheidscentrum met huisartsen, praktijkondersteuners en een apotheek in hetzelfde gebouw.",
                   "Praktijk met een open houding: je bepaalt zelf wat je over je werk vertelt."],
            facts={"working-name-ok": 0.6, "uninsured-ok": 0.4,
                   "no-bsn-needed": 0.3, "staff-trained": 0.7,
                   "interpreter": 0.4, "wheelchair": 0.7, "walk-in": 0.15},
            schedules=[SCHED_PRACTICE, SCHED_OFFICE_830],
            evening=0.3, saturday=0.15, languages=1, mail=("info", "assistentes")),
        "sexual-health": Category(
            names=[("Spreekuur Seksuele Gezondheid {core}", "Stichting Seksuele Gezondheid {core}"),
                   ("Soa-poli {core}", "Gezondheidscentrum {core}"),
                   ("Testpunt {core}", "Stichting Testpunt {core}")],
            org_kind="Centrum voor seksuele gezondheid",
            bases=["Test op soa en hiv, ook als je geen klachten hebt; de uitslag krijg je via een persoonlijke code.",
                   "Spreekuur voor seksuele gezondheid: testen, behandeling, vaccinaties en advies over anticonceptie.",
                   "Soa-spreekuur met aparte tijden voor sekswerkers, zodat je niet lang hoeft te wachten.",
                   "Verpleegkundigen en artsen voor soa-tests, vaccinatie tegen hepatitis B en vragen over seks en werk.",
                   "Testen op soa en hiv, en uitleg over hoe vaak testen voor jou zinvol is."],
            facts={"working-name-ok": 0.9, "anonymous-ok": 0.8,
                   "no-bsn-needed": 0.8, "uninsured-ok": 0.7,
                   "staff-trained": 0.8, "interpreter": 0.5,
                   "wheelchair": 0.6, "walk-in": 0.6},
            schedules=[SCHED_CLINIC, SCHED_PRACTICE, SCHED_PART_TIME],
            evening=0.4, saturday=0.2, languages=2, mail=("spreekuur", "info")),
        "prep": Category(
            names=[("PrEP-spreekuur {core}", "Gezondheidscentrum {core}"),
                   ("PrEP-poli {core}", "Stichting Seksuele Gezondheid {core}"),
                   ("PrEP-praktijk {sn}", "Praktijk {sn}")],
            org_kind="Zorg rond PrEP en hiv-preventie",
            bases=["PrEP-spreekuur: intake, begeleiding en de regelmatige controles die bij PrEP horen.",
                   "Begeleidt mensen die PrEP gebruiken of willen starten; je hoort vooraf wat het kost.",
                   "PrEP-zorg met controles om de drie maanden, en advies over PEP na een risico.",
                   "Startgesprek over PrEP met hiv-test en controle van je nieren, daarna vaste controles.",
                   "Voor vragen over PrEP, ook als je twijfelt of het bij jou past."],
            facts={"working-name-ok": 0.6, "no-bsn-needed": 0.4,
                   "uninsured-ok": 0.3, "staff-trained": 0.8,
                   "interpreter": 0.4, "wheelchair": 0.6},
            schedules=[SCHED_CLINIC, SCHED_PART_TIME],
            evening=0.4, languages=1, mail=("prep", "info")),
        "gynaecology": Category(
            names=[("Gynaecologiepraktijk {core}", "Gynaecologiepraktijk {core}"),
                   ("Polikliniek Gynaecologie {core}", "Medisch Centrum {core}"),
                   ("Gynaecologen {sn}", "Maatschap Gynaecologen {sn}")],
            org_kind="Gynaecologische zorg",
            bases=["Gynaecologisch spreekuur voor vragen over menstruatie, anticonceptie, pijn en controles.",
                   "Gynaecologen en verpleegkundigen die geen uitleg nodig hebben over je werk; meestal heb je een verwijzing van de huisarts nodig.",
                   "Plaatsing en controle van spiraal en implantaat, uitstrijkjes en advies bij klachten.",
                   "Polikliniek gynaecologie waar je een voorkeur voor een vrouwelijke of mannelijke arts kunt aangeven.",
                   "Rustige praktijk waar je de tijd krijgt om je vragen te stellen."],
            facts={"working-name-ok": 0.4, "uninsured-ok": 0.3,
                   "staff-trained": 0.7, "interpreter": 0.4, "wheelchair": 0.8},
            schedules=[SCHED_PRACTICE, SCHED_CLINIC, SCHED_OFFICE_FOUR],
            evening=0.2, languages=1, mail=("poli", "info")),
        "mental-health": Category(
            names=[("Psychologiepraktijk {core}", "Psychologiepraktijk {core}"),
                   ("Praktijk voor Psychotherapie {sn}", "Praktijk voor Psychotherapie {sn}"),
                   ("GGZ-praktijk {core}", "GGZ-praktijk {core} B.V."),
                   ("Psychologen {sn}", "Psychologen {sn}")],
            org_kind="Praktijk voor psychische zorg",
            bases=["Psychologen voor stress, angst, somberheid en de gevolgen van nare ervaringen, zonder oordeel over je werk.",
                   "Praktijk voor hulp bij psychische klachten; je kunt eerst een kennismakingsgesprek plannen.",
                   "Kortdurende begeleiding, ook bij vragen over de balans tussen werk en privé.",
                   "Begeleiding bij traumaklachten, slaapproblemen of als het even niet gaat; je bepaalt zelf wat je deelt.",
                   "Psychologen die weten dat sekswerk werk is, en met je kijken naar wat jij nodig hebt."],
            facts={"working-name-ok": 0.6, "anonymous-ok": 0.3,
                   "uninsured-ok": 0.3, "no-bsn-needed": 0.3,
                   "staff-trained": 0.8, "interpreter": 0.4, "wheelchair": 0.5},
            schedules=[SCHED_OFFICE, SCHED_OFFICE_FOUR, SCHED_PART_TIME],
            evening=0.5, languages=1, mail=("praktijk", "info")),
    },
    "police": {
        "contact-officer": Category(
            names=[("Contactagent Sekswerk Politiepost {core}", "Politiepost {core}"),
                   ("Aanspreekpunt Sekswerk Politiepost {core}", "Politiepost {core}")],
            org_kind="Politiepost",
            bases=["Vaste contactpersoon bij de politie voor sekswerkers; je kunt vragen stellen zonder meteen aangifte te doen.",
                   "Wijkagent met sekswerk als aandachtsgebied, die samenwerkt met zorg- en hulpverleners in de buurt.",
                   "Aanspreekpunt voor vragen over veiligheid op je werkplek, bedreiging of een klant die over je grenzen gaat.",
                   "Contactagent die je helpt de weg te vinden binnen de politie, bijvoorbeeld als je twijfelt over aangifte.",
                   "Agent die de branche kent en met je meedenkt over veilig werken."],
            facts={"working-name-ok": 0.7, "no-bsn-needed": 0.6,
                   "anonymous-ok": 0.5, "staff-trained": 1.0,
                   "interpreter": 0.6, "wheelchair": 0.7},
            schedules=[SCHED_APPOINTMENT, SCHED_APPOINTMENT_EARLY],
            evening=0.3, evening_slots=EVENING_SLOTS_APPOINTMENT, languages=1,
            mail=("contactagent", "sekswerk")),
        "report-by-appointment": Category(
            names=[("Aangiftebalie Politiepost {core}", "Politiepost {core}"),
                   ("Aangifte op afspraak Politiepost {core}", "Politiepost {core}")],
            org_kind="Politiepost",
            bases=["Aangifte doen op afspraak, in een rustige kamer en bij een agent met ervaring met sekswerk.",
                   "Plan een afspraak voor aangifte van bijvoorbeeld diefstal, bedreiging of geweld; je mag iemand meenemen voor steun.",
                   "Aangiftebalie op afspraak; je kunt vragen om het adres van het bureau te gebruiken in plaats van je eigen adres.",
                   "Aangifte op afspraak; neem een identiteitsbewijs mee en vraag gerust wat er met je aangifte gebeurt.",
                   "Op afspraak aangifte doen, zonder wachtrij aan de balie."],
            facts={"staff-trained": 0.9, "interpreter": 0.8, "wheelchair": 0.8},
            schedules=[SCHED_APPOINTMENT, SCHED_APPOINTMENT_EARLY],
            evening=0.4, evening_slots=EVENING_SLOTS_APPOINTMENT, languages=1,
            mail=("aangifte", "afspraken")),
        "anonymous-reporting": Category(
            names=[("Meldpunt Veilig Werken {core}", "Stichting Veilig Melden {core}"),
                   ("Anoniem Meldpunt {core}", "Stichting Anoniem Meldpunt {core}"),
                   ("Meldlijn {core}", "Stichting Meldlijn {core}")],
            org_kind="Onafhankelijk meldpunt",
            bases=["Meldpunt waar je anoniem informatie kunt geven over geweld, bedreiging of afpersing.",
                   "Onafhankelijk meldpunt: je vertelt wat je weet, zij geven het zonder jouw gegevens door aan de politie.",
                   "Anoniem melden per telefoon of ter plekke; je krijgt geen vragen over wie je bent.",
                   "Meld een gevaarlijke klant of een onveilige werkplek zonder je naam te geven.",
                   "Meldpunt voor informatie over onveilige situaties in de branche; een melding is geen aangifte."],
            facts={"anonymous-ok": 1.0, "no-bsn-needed": 0.8,
                   "staff-trained": 0.7, "interpreter": 0.5,
                   "wheelchair": 0.5, "walk-in": 0.5},
            schedules=[SCHED_PHONE_LINE, SCHED_DESK],
            evening=0.6, evening_slots=EVENING_SLOTS_PHONE, languages=2,
            mail=("melden", "info")),
    },
    "municipality": {
        "permit-desk": Category(
            names=[("Vergunningenloket {core}", "Gemeentelijk Loket {core}"),
                   ("Informatiepunt Vergunningen {core}", "Gemeentelijk Loket {core}"),
                   ("Balie Vergunningen en Registratie {core}", "Gemeentelijk Loket {core}")],
            org_kind="Gemeentelijk loket",
            bases=["Loket voor vragen over vergunningen en registratie voor sekswerk; hier hoor je wat in deze gemeente geldt.",
                   "Informatie over de vraag of je een vergunning nodig hebt voor thuiswerk, escort of een eigen werkruimte.",
                   "Vergunningenloket met een vaste medewerker voor sekswerk; je kunt eerst algemene vragen stellen.",
                   "Helpt bij de aanvraag en legt uit welke gegevens de gemeente bewaart, hoe lang en wie ze inziet.",
                   "Uitleg over de lokale regels voor sekswerk en seksbedrijven, en over wat je moet aanleveren."],
            facts={"anonymous-ok": 0.5, "staff-trained": 0.8,
                   "interpreter": 0.6, "wheelchair": 0.9, "walk-in": 0.5},
            schedules=[SCHED_DESK, SCHED_OFFICE, SCHED_DESK_LONG],
            evening=0.3, languages=0, mail=("vergunningen", "loket")),
        "social-support": Category(
            names=[("Wijkteam {core}", "Stichting Wijkteams {core}"),
                   ("Sociaal Loket {core}", "Gemeentelijk Loket {core}"),
                   ("Buurtteam {core}", "Stichting Buurtteam {core}"),
                   ("Wijksteunpunt {core}", "Stichting Wijksteunpunt {core}")],
            org_kind="Sociale ondersteuning in de wijk",
            bases=["Wijkteam voor vragen over geld, wonen, zorg en gezin; je hoeft niet te vertellen wat voor werk je doet, maar het mag.",
                   "Sociaal loket dat helpt met schulden, huurproblemen, toeslagen en formulieren.",
                   "Hulp bij het regelen van een zorgverzekering, een briefadres of een uitkering.",
                   "Maatschappelijk werkers die meedenken over wat jij nodig hebt, in je eigen tempo.",
                   "Buurtteam dat je ook kan doorverwijzen naar schuldhulp of een huisarts."],
            facts={"working-name-ok": 0.5, "no-bsn-needed": 0.4,
                   "uninsured-ok": 0.5, "anonymous-ok": 0.4,
                   "staff-trained": 0.7, "interpreter": 0.6,
                   "wheelchair": 0.8, "walk-in": 0.6},
            schedules=[SCHED_DESK, SCHED_OFFICE, SCHED_PART_TIME],
            evening=0.3, languages=1, mail=("info", "wijkteam")),
    },
    "media": {
        "peer-organisation": Category(
            names=[("Stichting {peer}", "Stichting {peer}"),
                   ("Collectief {peer}", "Vereniging Collectief {peer}"),
                   ("Sekswerkersnetwerk {core}", "Vereniging Sekswerkersnetwerk {core}"),
                   ("Ontmoetingsplek {core}", "Stichting Ontmoetingsplek {core}")],
            org_kind="Organisatie door en voor sekswerkers",
            bases=["Organisatie door en voor sekswerkers: informatie, steun van collega's en belangenbehartiging.",
                   "Peer-ondersteuners met eigen ervaring in sekswerk; je kunt terecht met vragen over werk, veiligheid en rechten.",
                   "Collectief van sekswerkers dat opkomt voor betere regels en minder stigma, met ontmoetingen en workshops.",
                   "Ontmoetingsplek met koffie, informatie en een luisterend oor van mensen die de branche kennen.",
                   "Netwerk van sekswerkers dat tips over veilig werken deelt en meegaat naar afspraken als je dat wilt."],
            facts={"working-name-ok": 1.0, "no-bsn-needed": 0.8,
                   "anonymous-ok": 0.7, "staff-trained": 0.6,
                   "interpreter": 0.4, "wheelchair": 0.5, "walk-in": 0.6},
            schedules=[SCHED_PEER, SCHED_PEER_LONG, SCHED_PART_TIME],
            evening=0.5, evening_slots=EVENING_SLOTS_PEER, languages=2,
            mail=("hallo", "info")),
        "media-guidance": Category(
            names=[("Mediaspreekuur {core}", "Stichting Mediaspreekuur {core}"),
                   ("Persadvies {core}", "Persadvies {core}"),
                   ("Mediawerkplaats {core}", "Stichting Mediawerkplaats {core}"),
                   ("Eigen Verhaal {core}", "Stichting Eigen Verhaal {core}")],
            org_kind="Advies over media en publiciteit",
            bases=["Helpt je voorbereiden op een interview: wat je wel en niet deelt, en hoe je je anonimiteit bewaakt.",
                   "Advies over contact met journalisten, fotografen en programmamakers, ook over afspraken op papier.",
                   "Hulp als je ongevraagd in beeld bent gekomen of als er iets over je is gepubliceerd.",
                   "Training in omgaan met media en sociale media, gegeven door mensen met ervaring in sekswerk en journalistiek.",
                   "Denkt mee over je privacy online en over het laten verwijderen van foto's of gegevens."],
            facts={"working-name-ok": 0.9, "anonymous-ok": 0.6,
                   "no-bsn-needed": 0.5, "staff-trained": 0.8,
                   "interpreter": 0.3, "wheelchair": 0.5},
            schedules=[SCHED_PART_TIME, SCHED_OFFICE, SCHED_PEER],
            evening=0.3, languages=1, mail=("pers", "info")),
    },
    "legal": {
        "lawyer": Category(
            names=[("Advocatenkantoor {sn}", "Advocatenkantoor {sn}"),
                   ("{sn} Advocaten", "{sn} Advocaten N.V."),
                   ("Advocatenpraktijk {core}", "Advocatenpraktijk {core}")],
            org_kind="Advocatenkantoor",
            bases=["Advocatenkantoor met ervaring in zaken voor sekswerkers, zoals huur, contracten en strafrecht.",
                   "Werkt ook met een toevoeging (gesubsidieerde rechtsbijstand) als je daarvoor in aanmerking komt.",
                   "Advocaten voor arbeidsrecht, bestuursrecht en vergunningen; een eerste kort gesprek is vrijblijvend.",
                   "Kantoor voor familierecht, vreemdelingenrecht en strafrecht; je bepaalt zelf wat je over je werk vertelt.",
                   "Advocaten die bezwaar en beroep doen tegen besluiten van de gemeente, ook over vergunningen."],
            facts={"working-name-ok": 0.4, "anonymous-ok": 0.2,
                   "staff-trained": 0.8, "interpreter": 0.4, "wheelchair": 0.6},
            schedules=[SCHED_OFFICE, SCHED_OFFICE_830],
            evening=0.2, languages=1, mail=("secretariaat", "info")),
        "legal-aid": Category(
            names=[("Rechtswinkel {core}", "Stichting Rechtswinkel {core}"),
                   ("Juridisch Spreekuur {core}", "Stichting Juridisch Spreekuur {core}"),
                   ("Rechtshulppunt {core}", "Stichting Rechtshulppunt {core}")],
            org_kind="Gratis juridisch advies",
            bases=["Rechtswinkel met vrijwillige juristen: gratis advies over huur, schulden, werk en boetes.",
                   "Juridisch spreekuur voor vragen over contracten, vergunningen of een conflict met een exploitant.",
                   "Helpt je een brief te begrijpen en te beantwoorden, en verwijst door naar een advocaat als dat nodig is.",
                   "Gratis eerste advies, ook over bezwaar maken tegen een besluit van de gemeente of de Belastingdienst.",
                   "Juristen die in gewone taal uitleggen wat je rechten zijn en wat je zelf kunt doen."],
            facts={"working-name-ok": 0.6, "no-bsn-needed": 0.7,
                   "anonymous-ok": 0.6, "staff-trained": 0.6,
                   "interpreter": 0.5, "wheelchair": 0.6, "walk-in": 0.7},
            schedules=[SCHED_PART_TIME, SCHED_DESK, SCHED_PEER],
            evening=0.5, languages=2, mail=("spreekuur", "info")),
        "tax-advice": Category(
            names=[("Belastingadvies {sn}", "Belastingadvies {sn} B.V."),
                   ("Fiscaal Adviesbureau {core}", "Fiscaal Adviesbureau {core} B.V."),
                   ("Belastingspreekuur {core}", "Stichting Belastingspreekuur {core}")],
            org_kind="Belastingadvies voor zelfstandigen",
            bases=["Belastingadvies voor zelfstandigen over inkomstenbelasting, btw en ondernemersaftrek.",
                   "Helpt bij een aanslag, een naheffing of een bezwaar bij de Belastingdienst.",
                   "Kent de verschillende manieren waarop sekswerkers belasting betalen, zoals als zelfstandige of via de opting-inregeling.",
                   "Spreekuur voor vragen over voorlopige aanslagen, toeslagen en betalingsregelingen.",
                   "Fiscalist die je aangifte met je doorloopt en uitlegt wat er gebeurt."],
            facts={"working-name-ok": 0.4, "anonymous-ok": 0.3,
                   "staff-trained": 0.7, "interpreter": 0.3, "wheelchair": 0.5},
            schedules=[SCHED_OFFICE, SCHED_OFFICE_FOUR, SCHED_PART_TIME],
            evening=0.3, languages=1, mail=("advies", "info")),
        "labour-advice": Category(
            names=[("Arbeidsrechtspreekuur {core}", "Stichting Arbeidsrechtspreekuur {core}"),
                   ("Arbeidsrecht Advies {sn}", "Arbeidsrecht Advies {sn}"),
                   ("Werk en Recht {core}", "Stichting Werk en Recht {core}")],
            org_kind="Advies over werk en contracten",
            bases=["Advies over je rechten als je voor een exploitant werkt: werktijden, afdrachten en wat er in afspraken mag staan.",
                   "Spreekuur arbeidsrecht: ben je zelfstandige of eigenlijk in loondienst, en wat betekent dat voor jou?",
                   "Helpt bij een conflict over betaling, boetes of de huur van een werkplek.",
                   "Juristen die je contract of huurovereenkomst voor een werkruimte meelezen voordat je tekent.",
                   "Advies over ziek worden, vakantiegeld en opzeggen als je voor een club of bureau werkt."],
            facts={"working-name-ok": 0.6, "no-bsn-needed": 0.5,
                   "anonymous-ok": 0.5, "staff-trained": 0.7,
                   "interpreter": 0.4, "wheelchair": 0.5, "walk-in": 0.4},
            schedules=[SCHED_PART_TIME, SCHED_OFFICE, SCHED_DESK],
            evening=0.4, languages=1, mail=("spreekuur", "info")),
    },
}

# Second sentence of a description: a practical detail about one friendly
# fact. Per-plugin wording overrides the general wording where it matters.
FACT_SENTENCES = {
    "working-name-ok": ["Je mag je werknaam gebruiken.",
                        "Voor een eerste gesprek is je werknaam genoeg."],
    "no-bsn-needed": ["Voor een eerste gesprek heb je geen BSN nodig.",
                      "Heb je (nog) geen BSN? Je kunt toch terecht."],
    "uninsured-ok": ["Ook zonder zorgverzekering ben je welkom; de kosten bespreek je vooraf.",
                     "Geen zorgverzekering? Je kunt toch terecht en hoort vooraf wat het kost."],
    "anonymous-ok": ["Je kunt anoniem bellen of langskomen.",
                     "Je hoeft je naam niet te geven.",
                     "Een eerste gesprek kan anoniem."],
    "staff-trained": ["De medewerkers zijn getraind in werken met sekswerkers.",
                      "Het team heeft een training over sekswerk gevolgd en werkt zonder oordeel."],
    "interpreter": ["Er kan een tolk bij het gesprek, ook telefonisch.",
                    "Vraag bij het maken van de afspraak gerust om een tolk."],
    "wheelchair": ["Het gebouw is rolstoeltoegankelijk.",
                   "De ingang en de spreekkamers zijn rolstoeltoegankelijk."],
    "walk-in": ["Binnenlopen zonder afspraak kan tijdens het inloopspreekuur.",
                "Tijdens het inloopspreekuur kun je zonder afspraak langskomen."],
}
FACT_SENTENCES_BY_PLUGIN = {
    ("municipality", "uninsured-ok"): ["Heb je geen zorgverzekering? Ze helpen je die te regelen."],
    ("finance", "anonymous-ok"): ["Een eerste oriënterend gesprek kan anoniem.",
                                  "Een eerste gesprek kan anoniem, zonder dat je gegevens worden vastgelegd."],
    ("legal", "anonymous-ok"): ["Een eerste gesprek kan anoniem.",
                                "Je kunt je vraag eerst anoniem stellen."],
    ("police", "anonymous-ok"): ["Je hoeft je naam niet te geven.",
                                 "Een eerste gesprek kan anoniem."],
    ("police", "interpreter"): ["Er kan een tolk bij het gesprek, ook telefonisch."],
}

# Words that must never appear in the sample data (stigmatising or rescue
# language). Matched as lower-case substrings of all Dutch and English text.
FORBIDDEN_WORDS = ["prostitu", "hoer", "slachtoffer", "victim", "escape",
                   "exit", "rescue", "redden", "uitstap", "gevallen vrouw",
                   "hooker", "whore", "trafficked"]

FORM_FIELD_TYPES = ["text", "multiline", "choice", "multi-choice", "phone", "email"]
FREE_TEXT_TYPES = ["text", "multiline", "phone", "email"]
FORM_FIELDS_THE_PROGRAM_ADDS = ["name", "working-name", "contact", "contact-method",
                                "phone", "email", "day-parts", "dayparts", "consent",
                                "language"]


# ---------------------------------------------------------------------------
# Generation

def stable_uuid(*parts):
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def slugify(text):
    text = text.replace("&", " en ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("ı", "i")
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


def strip_suffix(name):
    return name[:-len(NAME_SUFFIX)] if name.endswith(NAME_SUFFIX) else name


def weighted_sample(rng, weighted, count):
    pool = list(weighted)
    chosen = []
    while pool and len(chosen) < count:
        total = sum(weight for _, weight in pool)
        pick = rng.uniform(0, total)
        for i, (item, weight) in enumerate(pool):
            pick -= weight
            if pick <= 0 or i == len(pool) - 1:
                chosen.append(item)
                del pool[i]
                break
    return chosen


def postcode(rng, district):
    while True:
        letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
        if letters not in POSTCODE_PAIRS_EXCLUDED:
            return f"{district} {letters}"


def evening_schedule(schedule):
    return schedule["closes_at"] >= EVENING_FROM


def describe_days(byday):
    days = byday.split(",")
    if byday == WEEKDAYS:
        return "op werkdagen"
    if byday == ALL_DAYS:
        return "elke dag"
    names = [DAY_NAMES_NL[d] for d in days]
    if len(names) == 1:
        return f"op {names[0]}avond"
    return "op " + ", ".join(names[:-1]) + " en " + names[-1]


def evening_sentence(schedules):
    slot = next(s for s in schedules if evening_schedule(s))
    when = describe_days(slot["byday"])
    until = slot["closes_at"].replace(":", ".")
    if when.endswith("avond"):
        return f"Ook {when} bereikbaar, tot {until} uur."
    return f"Ook 's avonds bereikbaar, {when} tot {until} uur."


def language_sentence(codes):
    others = [LANGUAGES[c][1] for c in codes if c != "nl"]
    if len(others) == 1:
        return f"Je kunt er ook terecht in {others[0]}."
    listed = ", ".join(others[:-1]) + " en " + others[-1]
    return f"Je kunt er ook terecht in {listed}."


class NamePools:
    """Hands out name parts so that no two providers of a plugin share one."""

    def __init__(self, rng):
        self.rng = rng
        self.pools = {}
        for key, values in (("core", CORES), ("bird", BIRDS), ("peer", PEER_NAMES)):
            values = list(values)
            rng.shuffle(values)
            self.pools[key] = values
        self.used_surnames = []

    def take(self, key):
        if key == "sn":
            return self.surname()
        return self.pools[key].pop()

    def surname(self):
        while True:
            first = self.rng.choice(SURNAMES)
            if self.rng.random() < 0.5:
                name = first
            else:
                second = self.rng.choice(SURNAMES)
                if second == first:
                    continue
                name = f"{first} & {second}"
            if name not in self.used_surnames:
                self.used_surnames.append(name)
                return name


def fill_names(pools, patterns, rng):
    service_pattern, org_pattern = rng.choice(patterns)
    values = {}
    for key in ("core", "bird", "peer", "sn"):
        if "{" + key + "}" in service_pattern or "{" + key + "}" in org_pattern:
            values[key] = pools.take(key)
    return service_pattern.format(**values), org_pattern.format(**values)


def make_schedules(rng, cat, evening, walk_in):
    base = rng.choice(cat.schedules)
    slots = list(base)
    if evening:
        slots.append(rng.choice(cat.evening_slots))
    if walk_in and len(slots) < 3:
        slots.append(rng.choice(WALK_IN_SLOTS))
    if len(slots) < 3 and rng.random() < cat.saturday:
        slots.append(rng.choice(SATURDAY_SLOTS))
    return slots


def choose_facts(rng, cat, evening):
    """2–6 friendly facts; evening-hours exactly when there is an evening slot."""
    facts = [code for code, chance in cat.facts.items() if rng.random() < chance]
    limit = 5 if evening else 6
    by_weight = sorted(cat.facts, key=lambda code: -cat.facts[code])
    while len(facts) + evening < 2:
        facts.append(next(code for code in by_weight if code not in facts))
    while len(facts) > limit:
        facts.remove(min(facts, key=lambda code: cat.facts[code]))
    if evening:
        facts.append("evening-hours")
    return [code for code in FACTS if code in facts]


def choose_languages(rng, cat):
    english = [0.6, 0.8, 0.95][cat.languages]
    extra_counts = [[0, 0, 0, 1], [0, 0, 1, 1, 2], [1, 1, 2, 2, 3]][cat.languages]
    codes = ["nl"]
    if rng.random() < english:
        codes.append("en")
    codes += weighted_sample(rng, EXTRA_LANGUAGE_WEIGHTS, rng.choice(extra_counts))
    return [code for code in LANGUAGE_ORDER if code in codes]


def ensure_minimum_per_fact(rng, plugin, drafts):
    """Make every fact that fits the plugin appear on at least three providers."""
    for code in FACTS:
        if code == "evening-hours":
            holders = [d for d in drafts if d["evening"]]
            candidates = [d for d in drafts
                          if not d["evening"] and CATEGORIES[plugin][d["category"]].evening > 0
                          and len(d["facts"]) < 6 and len(d["slots"]) < 3]
            while len(holders) < 3 and candidates:
                draft = candidates.pop(rng.randrange(len(candidates)))
                cat = CATEGORIES[plugin][draft["category"]]
                draft["evening"] = True
                draft["slots"].append(rng.choice(cat.evening_slots))
                draft["facts"] = [c for c in FACTS if c in draft["facts"] + ["evening-hours"]]
                holders.append(draft)
            continue
        applicable = [d for d in drafts if code in CATEGORIES[plugin][d["category"]].facts]
        if not applicable:
            continue
        holders = [d for d in applicable if code in d["facts"]]
        # A walk-in provider gets a walk-in slot, so it needs room for one.
        candidates = [d for d in applicable if code not in d["facts"] and len(d["facts"]) < 6
                      and (code != "walk-in" or len(d["slots"]) < 3)]
        while len(holders) < 3 and candidates:
            draft = candidates.pop(rng.randrange(len(candidates)))
            draft["facts"] = [c for c in FACTS if c in draft["facts"] + [code]]
            if code == "walk-in":
                draft["slots"].append(rng.choice(WALK_IN_SLOTS))
            holders.append(draft)


def attribute(plugin, index, value, taxonomy, code, name):
    return {
        "id": stable_uuid(plugin, str(index), "attribute", taxonomy, code),
        "link_type": "service",
        "value": value,
        "taxonomy_term": {
            "id": stable_uuid("taxonomy", taxonomy, code),
            "code": code,
            "name": name,
            "taxonomy": taxonomy,
        },
    }


def generate_plugin(plugin, theme, used_domains):
    rng = random.Random(f"wegwijzer-sample-data-{plugin}")
    categories = CATEGORIES[plugin]
    category_labels = {c["id"]: c["label"]["en"] for c in theme["categories"]}
    count = PROVIDER_COUNT[plugin]
    pools = NamePools(rng)

    category_ids = list(categories)
    category_plan = [category_ids[i % len(category_ids)] for i in range(count)]
    rng.shuffle(category_plan)
    cities = list(CITY_ORDER)
    rng.shuffle(cities)
    city_plan = [cities[i % len(cities)] for i in range(count)]
    rng.shuffle(city_plan)

    drafts = []
    used_addresses = []
    for index in range(count):
        category = category_plan[index]
        cat = categories[category]
        city = city_plan[index]
        evening = rng.random() < cat.evening
        facts = choose_facts(rng, cat, evening)
        slots = make_schedules(rng, cat, evening, "walk-in" in facts)
        service_name, org_name = fill_names(pools, cat.names, rng)
        while True:
            street, district = rng.choice(CITIES[city]["streets"])
            number = str(rng.randint(1, 240))
            if rng.random() < 0.12:
                number += rng.choice("ABC")
            if (city, street, number) not in used_addresses:
                used_addresses.append((city, street, number))
                break
        drafts.append({
            "index": index, "category": category, "city": city,
            "evening": evening, "facts": facts, "slots": slots,
            "service_name": service_name, "org_name": org_name,
            "street": street, "number": number, "district": district,
        })

    ensure_minimum_per_fact(rng, plugin, drafts)

    providers = []
    for draft in drafts:
        providers.append(build_provider(rng, plugin, draft, categories, category_labels,
                                        used_domains))
    return providers


def build_provider(rng, plugin, draft, categories, category_labels, used_domains):
    index = str(draft["index"])
    cat = categories[draft["category"]]
    city = CITIES[draft["city"]]

    slug = slugify(draft["service_name"])
    if slug in used_domains:
        slug = f"{slug}-{slugify(draft['city'])}"
    used_domains.append(slug)
    domain = slug + DOMAIN_SUFFIX
    website = f"https://{domain}"

    schedules = []
    for n, (byday, opens, closes, description) in enumerate(draft["slots"]):
        schedule = {
            "id": stable_uuid(plugin, index, "schedule", str(n)),
            "freq": "WEEKLY",
            "byday": byday,
            "opens_at": opens,
            "closes_at": closes,
            "timezone": TIMEZONE,
        }
        if description:
            schedule["description"] = description
        schedules.append(schedule)

    languages = choose_languages(rng, cat)

    sentences = [rng.choice(cat.bases)]
    details = [code for code in draft["facts"] if code != "staff-trained"] or ["staff-trained"]
    if len(languages) > 2:
        details.append("languages")
    detail = rng.choice(details)
    if detail == "evening-hours":
        sentences.append(evening_sentence(schedules))
    elif detail == "languages":
        sentences.append(language_sentence(languages))
    else:
        options = FACT_SENTENCES_BY_PLUGIN.get((plugin, detail), FACT_SENTENCES[detail])
        sentences.append(rng.choice(options))

    lat0, lon0 = city["centre"]
    latitude = round(lat0 + rng.uniform(-MAX_JITTER, MAX_JITTER), 5)
    longitude = round(lon0 + rng.uniform(-MAX_JITTER, MAX_JITTER), 5)

    attributes = [
        attribute(plugin, index, plugin, "wegwijzer-theme", plugin, THEME_NAMES[plugin]),
        attribute(plugin, index, draft["category"], "wegwijzer-category", draft["category"],
                  category_labels[draft["category"]]),
    ]
    for code in draft["facts"]:
        attributes.append(attribute(plugin, index, "true", "wegwijzer", code, FACT_NAMES[code]))
    attributes.append(attribute(plugin, index, "true", "wegwijzer", SAMPLE_CODE, "Sample data"))

    days = (ASSURED_LAST - ASSURED_FIRST).days
    assured = ASSURED_FIRST + datetime.timedelta(days=rng.randint(0, days))

    return {
        "id": stable_uuid(plugin, index),
        "name": draft["service_name"] + NAME_SUFFIX,
        "description": " ".join(sentences),
        "url": website,
        "email": f"{rng.choice(cat.mail)}@{domain}",
        "status": "active",
        "assured_date": assured.isoformat(),
        "assurer_email": ASSURER_EMAIL,
        "organization": {
            "id": stable_uuid(plugin, index, "organization"),
            "name": draft["org_name"] + NAME_SUFFIX,
            "description": f"{cat.org_kind} in {draft['city']}.",
            "website": website,
        },
        "phones": [{
            "id": stable_uuid(plugin, index, "phone", "0"),
            "number": f"+31 {city['area']} 000 {rng.randint(0, 9999):04d}",
            "type": "voice",
        }],
        "languages": [{
            "id": stable_uuid(plugin, index, "language", code),
            "name": LANGUAGES[code][0],
            "code": code,
        } for code in languages],
        "schedules": schedules,
        "service_at_locations": [{
            "id": stable_uuid(plugin, index, "service_at_location", "0"),
            "location": {
                "id": stable_uuid(plugin, index, "location", "0"),
                "location_type": "physical",
                "name": draft["service_name"],
                "latitude": latitude,
                "longitude": longitude,
                "addresses": [{
                    "id": stable_uuid(plugin, index, "address", "0"),
                    "address_1": f"{draft['street']} {draft['number']}",
                    "city": draft["city"],
                    "region": city["province"],
                    "state_province": city["province"],
                    "postal_code": postcode(rng, draft["district"]),
                    "country": "NL",
                    "address_type": "physical",
                }],
            },
        }],
        "attributes": attributes,
    }


def serialise(providers):
    return json.dumps(providers, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def providers_path(plugin):
    return ROOT / "plugins" / plugin / "data" / "providers.json"


def theme_path(plugin):
    return ROOT / "plugins" / plugin / "data" / "theme.json"


def generate_all():
    used_domains = []
    output = {}
    for plugin in PLUGINS:
        theme = json.loads(theme_path(plugin).read_text(encoding="utf-8"))
        output[plugin] = serialise(generate_plugin(plugin, theme, used_domains))
    return output


# ---------------------------------------------------------------------------
# Validation

class Problems:
    def __init__(self):
        self.messages = []

    def check(self, condition, where, message):
        if not condition:
            self.messages.append(f"{where}: {message}")
        return condition


UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
PHONE_RE = re.compile(r"^\+31 (\d{2}) 000 \d{4}$")
POSTCODE_RE = re.compile(r"^([1-9]\d{3}) ([A-Z]{2})$")


def domain_of(value):
    value = value.split("@", 1)[-1]
    value = re.sub(r"^https://", "", value)
    return value.split("/", 1)[0]


def all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)


def check_language(problems, where, texts):
    for text in texts:
        lowered = text.lower()
        for word in FORBIDDEN_WORDS:
            problems.check(word not in lowered, where, f"avoid the word '{word}': {text[:60]}…")


def validate_provider(problems, plugin, provider, category_ids, seen_ids):
    where = f"{plugin}: {provider.get('name', '?')}"
    check = problems.check
    required = ["id", "name", "description", "url", "email", "status", "assured_date",
                "assurer_email", "organization", "phones", "languages", "schedules",
                "service_at_locations", "attributes"]
    for key in required:
        if not check(key in provider, where, f"'{key}' is missing"):
            return None

    def check_id(value, what):
        check(isinstance(value, str) and UUID_RE.match(value) is not None, where,
              f"{what} id is not a UUID")
        check(value not in seen_ids, where, f"{what} id {value} is used twice")
        seen_ids.append(value)

    check_id(provider["id"], "service")
    org = provider["organization"]
    check_id(org["id"], "organization")
    for key in ("name", "description", "website"):
        check(bool(org.get(key)), where, f"organization '{key}' is missing")

    check(provider["name"].endswith(NAME_SUFFIX), where, "name must end with ' (voorbeeld)'")
    check(org["name"].endswith(NAME_SUFFIX), where, "organization name must end with ' (voorbeeld)'")
    check(provider["status"] == "active", where, "status must be 'active'")
    check(provider["assurer_email"] == ASSURER_EMAIL, where, "unexpected assurer_email")
    for value in (provider["url"], provider["email"], org["website"]):
        check(domain_of(value).endswith(DOMAIN_SUFFIX), where, f"'{value}' is not a .voorbeeld.example domain")
        check(all(len(label) <= 63 for label in domain_of(value).split(".")), where,
              f"'{value}' has a domain label over 63 characters")
    check(provider["url"].startswith("https://") and org["website"].startswith("https://"),
          where, "web addresses must use https")
    check(re.match(r"^[a-z]+@", provider["email"]) is not None, where, "odd e-mail address")

    try:
        assured = datetime.date.fromisoformat(provider["assured_date"])
        check(ASSURED_FIRST <= assured <= ASSURED_LAST, where, "assured_date out of range")
    except ValueError:
        check(False, where, "assured_date is not a date")

    description = provider["description"]
    sentences = re.findall(r"[.?!](?:\s|$)", description)
    check(1 <= len(sentences) <= 3, where, "description should be one to three sentences")

    # Location and address.
    sals = provider["service_at_locations"]
    check(len(sals) == 1, where, "expected exactly one service_at_location")
    city_name = None
    for sal in sals:
        check_id(sal["id"], "service_at_location")
        location = sal["location"]
        check_id(location["id"], "location")
        check(location["location_type"] == "physical", where, "location_type must be physical")
        check(bool(location.get("name")), where, "location name missing")
        check(len(location["addresses"]) == 1, where, "expected exactly one address")
        for address in location["addresses"]:
            check_id(address["id"], "address")
            city_name = address["city"]
            if not check(city_name in CITIES, where, f"unknown city {city_name}"):
                return None
            city = CITIES[city_name]
            check(address["region"] == city["province"] == address["state_province"], where,
                  "region/state_province must be the city's province")
            check(address["country"] == "NL", where, "country must be NL")
            check(address["address_type"] == "physical", where, "address_type must be physical")
            check(re.match(r"^[A-Z'][^\d]* \d+[A-Z]?$", address["address_1"]) is not None, where,
                  f"address_1 '{address['address_1']}' is not 'Street 12'")
            match = POSTCODE_RE.match(address["postal_code"])
            if check(match is not None, where, f"postcode '{address['postal_code']}' malformed"):
                check(match.group(1).startswith(city["prefix"]), where,
                      f"postcode {address['postal_code']} is outside {city_name}")
                check(not any(ch in "FIOQUY" for ch in match.group(2))
                      and match.group(2) not in POSTCODE_PAIRS_EXCLUDED,
                      where, f"postcode letters {match.group(2)} are never used")
            lat0, lon0 = city["centre"]
            check(abs(location["latitude"] - lat0) <= MAX_DISTANCE
                  and abs(location["longitude"] - lon0) <= MAX_DISTANCE,
                  where, f"coordinates are not inside {city_name}")

    # Phones.
    check(len(provider["phones"]) >= 1, where, "no phone")
    for phone in provider["phones"]:
        check_id(phone["id"], "phone")
        match = PHONE_RE.match(phone["number"])
        if check(match is not None, where, f"phone '{phone['number']}' is not '+31 AA 000 NNNN'"):
            check(city_name is None or match.group(1) == CITIES[city_name]["area"], where,
                  f"phone area code does not match {city_name}")
        check(phone["type"] == "voice", where, "phone type must be voice")

    # Languages.
    codes = [lang["code"] for lang in provider["languages"]]
    check("nl" in codes, where, "Dutch (nl) is missing")
    check(len(codes) == len(set(codes)), where, "duplicate language")
    for lang in provider["languages"]:
        check_id(lang["id"], "language")
        if check(lang["code"] in LANGUAGES, where, f"unknown language {lang['code']}"):
            check(lang["name"] == LANGUAGES[lang["code"]][0], where,
                  f"language {lang['code']} must be named {LANGUAGES[lang['code']][0]}")

    # Schedules.
    schedules = provider["schedules"]
    check(1 <= len(schedules) <= 3, where, "expected 1–3 schedules")
    has_evening = False
    for schedule in schedules:
        check_id(schedule["id"], "schedule")
        check(schedule["freq"] == "WEEKLY", where, "freq must be WEEKLY")
        check(schedule["timezone"] == TIMEZONE, where, "timezone must be Europe/Amsterdam")
        days = schedule["byday"].split(",")
        check(all(d in DAYS for d in days) and len(days) == len(set(days)), where,
              f"bad byday '{schedule['byday']}'")
        check(days == sorted(days, key=DAYS.index), where, "byday out of order")
        opens, closes = schedule["opens_at"], schedule["closes_at"]
        if check(TIME_RE.match(opens) and TIME_RE.match(closes), where, "times must be HH:MM"):
            check(opens < closes, where, f"opens_at {opens} is not before closes_at {closes}")
        has_evening = has_evening or closes >= EVENING_FROM

    # Attributes.
    themes, categories, facts, sample = [], [], [], []
    for attr in provider["attributes"]:
        check_id(attr["id"], "attribute")
        term = attr["taxonomy_term"]
        check(attr["link_type"] == "service", where, "link_type must be service")
        check(term["id"] == stable_uuid("taxonomy", term["taxonomy"], term["code"]), where,
              f"taxonomy term id of {term['code']} is not the shared one")
        check(bool(term.get("name")), where, "taxonomy term without a name")
        if term["taxonomy"] == "wegwijzer-theme":
            themes.append(term["code"])
            check(attr["value"] == term["code"], where, "theme value must equal its code")
        elif term["taxonomy"] == "wegwijzer-category":
            categories.append(term["code"])
            check(attr["value"] == term["code"], where, "category value must equal its code")
        elif term["taxonomy"] == "wegwijzer":
            check(attr["value"] == "true", where, f"{term['code']} must have value 'true'")
            if term["code"] == SAMPLE_CODE:
                sample.append(term["code"])
            else:
                check(term["code"] in FACTS, where, f"unknown friendly fact {term['code']}")
                facts.append(term["code"])
        else:
            check(False, where, f"unknown taxonomy {term['taxonomy']}")
    check(themes == [plugin], where, "needs exactly one wegwijzer-theme attribute equal to the plugin id")
    check(len(categories) == 1, where, "needs exactly one wegwijzer-category attribute")
    check(len(sample) == 1, where, "needs exactly one sample-data attribute")
    check(len(facts) == len(set(facts)), where, "duplicate friendly fact")
    check(2 <= len(facts) <= 6, where, f"has {len(facts)} friendly facts, expected 2–6")
    check(has_evening == ("evening-hours" in facts), where,
          "evening-hours must be set exactly when a schedule closes at 19:00 or later")
    descriptions = [s.get("description", "") for s in schedules]
    check((WALK_IN_DESCRIPTION in descriptions) == ("walk-in" in facts), where,
          "walk-in must be set exactly when there is a walk-in slot")
    check("walk-in" not in facts or "Alleen op afspraak" not in descriptions, where,
          "walk-in contradicts 'Alleen op afspraak'")
    category = categories[0] if categories else None
    if check(category in category_ids, where, f"category {category} is not in theme.json"):
        allowed = CATEGORIES[plugin][category].facts
        for code in facts:
            check(code in allowed or code == "evening-hours", where,
                  f"{code} does not fit category {category}")
    check_language(problems, where, all_strings(provider))
    return category, city_name, facts


def word_count(text):
    return len(re.findall(r"\w+(?:[-'’]\w+)*", text))


def validate_theme(problems, plugin, theme, facts_in_use):
    where = f"{plugin}/theme.json"
    check = problems.check
    for key in ("categories", "facets", "form", "info_pages"):
        check(key in theme, where, f"'{key}' is missing")

    ids = [c["id"] for c in theme["categories"]]
    check(ids == list(CATEGORIES[plugin]), where,
          f"category ids {ids} do not match the generator's {list(CATEGORIES[plugin])}")
    for category in theme["categories"]:
        for key in ("label", "description", "keywords"):
            for lang in ("en", "nl"):
                check(bool(category.get(key, {}).get(lang)), where,
                      f"category {category['id']}: {key}.{lang} is missing")

    facets = theme["facets"]
    check(4 <= len(facets) <= 7, where, "facets: expected 4–7 codes")
    check(len(facets) == len(set(facets)), where, "facets: duplicates")
    for code in facets:
        check(code in FACTS, where, f"facet {code} is not a friendly-fact code")
        check(facts_in_use.get(code, 0) >= 3, where, f"facet {code} is on fewer than 3 providers")

    form = theme["form"]
    topic = form[0] if form else {}
    check(topic.get("id") == "topic" and topic.get("type") == "choice" and topic.get("required") is True,
          where, "the first form field must be the required 'topic' choice")
    check(4 <= len(topic.get("choices", [])) <= 7, where, "topic needs 4–7 choices")
    check(len(form) - 1 <= 2, where, "at most 2 fields besides topic")
    field_ids = [f["id"] for f in form]
    check(len(field_ids) == len(set(field_ids)), where, "duplicate form field id")
    for field in form:
        fwhere = f"{where}: field {field['id']}"
        for key in ("id", "type", "label", "required", "personal", "max_length"):
            check(key in field, fwhere, f"'{key}' is missing")
        check(field["id"] not in FORM_FIELDS_THE_PROGRAM_ADDS, fwhere, "the program adds this field itself")
        check(field["type"] in FORM_FIELD_TYPES, fwhere, f"unknown type {field['type']}")
        check(bool(field["label"].get("en")) and bool(field["label"].get("nl")), fwhere, "label en/nl")
        if field["id"] != "topic":
            check(field["required"] is False, fwhere, "extra fields must be optional")
        if field["type"] in FREE_TEXT_TYPES:
            check(field["personal"] is True, fwhere, "free-text fields are personal data")
            check(200 <= field["max_length"] <= 500, fwhere, "max_length must be 200–500")
            check("choices" not in field, fwhere, "free-text field with choices")
        else:
            check(field["max_length"] == 0, fwhere, "choice fields have max_length 0")
            choices = field.get("choices", [])
            check(len(choices) >= 2, fwhere, "a choice field needs choices")
            choice_ids = [c["id"] for c in choices]
            check(len(choice_ids) == len(set(choice_ids)), fwhere, "duplicate choice id")
            for choice in choices:
                check(bool(choice["label"].get("en")) and bool(choice["label"].get("nl")), fwhere,
                      f"choice {choice['id']}: label en/nl")

    pages = theme["info_pages"]
    check(2 <= len(pages) <= 4, where, "expected 2–4 info pages")
    page_ids = [p["id"] for p in pages]
    check(len(page_ids) == len(set(page_ids)), where, "duplicate info page id")
    for page in pages:
        for lang in ("en", "nl"):
            pwhere = f"{where}: page {page['id']} ({lang})"
            check(bool(page["title"].get(lang)), pwhere, "title missing")
            body = page["body"].get(lang, "")
            words = word_count(body)
            check(80 <= words <= 250, pwhere, f"{words} words, expected 80–250")
            check("\n\n" in body and "\n\n\n" not in body and body == body.strip(), pwhere,
                  "paragraphs must be separated by exactly one blank line")
            check(all("\n" not in para for para in body.split("\n\n")), pwhere,
                  "single line break inside a paragraph")
    check_language(problems, where, all_strings(theme))


def validate(files):
    """Validate providers.json text per plugin plus theme.json on disk."""
    problems = Problems()
    seen_ids = []
    domains = {}
    report = []
    for plugin in PLUGINS:
        theme = json.loads(theme_path(plugin).read_text(encoding="utf-8"))
        category_ids = [c["id"] for c in theme["categories"]]
        providers = json.loads(files[plugin])
        problems.check(isinstance(providers, list), plugin, "providers.json must be an array")
        problems.check(len(providers) >= 32, plugin, f"only {len(providers)} providers")
        per_category = {c: 0 for c in category_ids}
        per_city = {}
        per_fact = {}
        names = []
        for provider in providers:
            result = validate_provider(problems, plugin, provider, category_ids, seen_ids)
            if result is None:
                continue
            category, city, facts = result
            if category in per_category:
                per_category[category] += 1
            per_city[city] = per_city.get(city, 0) + 1
            for code in facts:
                per_fact[code] = per_fact.get(code, 0) + 1
            names.append(provider["name"])
            domain = domain_of(provider["url"])
            problems.check(domains.setdefault(domain, provider["id"]) == provider["id"], plugin,
                           f"domain {domain} is used by two providers")
        problems.check(len(names) == len(set(names)), plugin, "duplicate provider names")
        descriptions = [p["description"] for p in providers]
        problems.check(len(set(descriptions)) >= 0.8 * len(descriptions), plugin,
                       "descriptions are too repetitive")
        problems.check(len(per_city) >= MIN_CITIES, plugin, f"only {len(per_city)} cities")
        for category, n in per_category.items():
            problems.check(n >= 3, plugin, f"category {category} has only {n} providers")
        for code in FACTS:
            fits = code == "evening-hours" or any(code in cat.facts for cat in CATEGORIES[plugin].values())
            if fits:
                problems.check(per_fact.get(code, 0) >= 3, plugin,
                               f"friendly fact {code} is on only {per_fact.get(code, 0)} providers")
            else:
                problems.check(code not in per_fact, plugin, f"friendly fact {code} does not fit {plugin}")
        validate_theme(problems, plugin, theme, per_fact)
        report.append((plugin, len(providers), per_city, per_category, per_fact))
    return problems, report


def print_report(report):
    for plugin, count, per_city, per_category, per_fact in report:
        categories = ", ".join(f"{c} {n}" for c, n in per_category.items())
        print(f"{plugin}: {count} providers, {len(per_city)} cities; {categories}")
        facts = ", ".join(f"{code} {per_fact[code]}" for code in FACTS if code in per_fact)
        print(f"    facts: {facts}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="validate the files on disk and fail if they are out of date")
    args = parser.parse_args()

    generated = generate_all()
    if args.check:
        files = {}
        for plugin in PLUGINS:
            on_disk = providers_path(plugin).read_text(encoding="utf-8")
            if on_disk != generated[plugin]:
                print(f"{providers_path(plugin)} is out of date; run {Path(__file__).name}",
                      file=sys.stderr)
                return 1
            files[plugin] = on_disk
    else:
        for plugin in PLUGINS:
            path = providers_path(plugin)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(generated[plugin], encoding="utf-8")
        files = {plugin: providers_path(plugin).read_text(encoding="utf-8") for plugin in PLUGINS}

    problems, report = validate(files)
    print_report(report)
    if problems.messages:
        for message in problems.messages:
            print(message, file=sys.stderr)
        print(f"{len(problems.messages)} problem(s)", file=sys.stderr)
        return 1
    print("sample data OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
