"""The demo's data: companies, people's names by region, titles, products, what was said."""

from __future__ import annotations

import unicodedata

OWNERS = ("sam", "alex", "priya")
STAGES = ("Lead-in", "Qualified", "Proposal", "Negotiation")

# --------------------------------------------------------------------------- the data

# name, domain, industry, street, city, country, name pool, partner?
COMPANIES: tuple[tuple[str, str, str, str, str, str, str, bool], ...] = (
    ("Nordlicht Logistik GmbH", "nordlicht-logistik.de", "Logistics",
     "Am Sandtorkai 41", "Hamburg", "Germany", "de", False),
    ("Rheinwerk Maschinenbau AG", "rheinwerk-maschinenbau.de", "Manufacturing",
     "Kaiserswerther Straße 115", "Düsseldorf", "Germany", "de", False),
    ("Brauhaus Analytics GmbH", "brauhaus-analytics.de", "Software",
     "Sendlinger Straße 7", "München", "Germany", "de", False),
    ("Schwarzwald Medizintechnik GmbH", "swmedtech.de", "Healthcare",
     "Bertoldstraße 22", "Freiburg", "Germany", "de", False),
    ("Isarpunkt Versicherungsmakler GmbH", "isarpunkt.de", "Insurance",
     "Leopoldstraße 90", "München", "Germany", "de", False),
    ("Elbe Energie Systeme GmbH", "elbe-energie.de", "Energy",
     "Königsbrücker Straße 48", "Dresden", "Germany", "de", False),
    ("Alpenglanz Hotels GmbH", "alpenglanz.at", "Hospitality",
     "Maria-Theresien-Straße 18", "Innsbruck", "Austria", "de", False),
    ("Donaukraft Software GmbH", "donaukraft.at", "Software",
     "Praterstraße 31", "Wien", "Austria", "de", True),
    ("Zürcher Treuhand Partner AG", "zuercher-treuhand.ch", "Financial services",
     "Bahnhofstrasse 64", "Zürich", "Switzerland", "de", False),
    ("Lémanic Précision SA", "lemanic-precision.ch", "Manufacturing",
     "Avenue de la Gare 12", "Lausanne", "Switzerland", "fr", False),
    ("Lumière Retail SAS", "lumiere-retail.fr", "Retail",
     "18 rue du Faubourg Saint-Honoré", "Paris", "France", "fr", False),
    ("Atelier Numérique SARL", "atelier-numerique.fr", "Marketing agency",
     "7 quai Saint-Vincent", "Lyon", "France", "fr", True),
    ("Domaine Beaumont Vins", "beaumont-vins.fr", "Food & beverage",
     "3 allées de Tourny", "Bordeaux", "France", "fr", False),
    ("Cap Ouest Transports", "capouest-transports.fr", "Logistics",
     "25 boulevard de la Prairie-au-Duc", "Nantes", "France", "fr", False),
    ("Santé Connect SAS", "santeconnect.fr", "Healthcare",
     "9 allée Jean Jaurès", "Toulouse", "France", "fr", False),
    ("Brabant Data NV", "brabantdata.be", "Software",
     "Meir 44", "Antwerpen", "Belgium", "nl", False),
    ("Grachtenhuis Vastgoed BV", "grachtenhuis.nl", "Real estate",
     "Herengracht 182", "Amsterdam", "Netherlands", "nl", False),
    ("Polder Robotics BV", "polderrobotics.nl", "Manufacturing",
     "Torenallee 20", "Eindhoven", "Netherlands", "nl", False),
    ("Tulip Payments BV", "tulippayments.nl", "Fintech",
     "Wilhelminakade 91", "Rotterdam", "Netherlands", "nl", False),
    ("Soluciones Ibéricas SL", "solucionesibericas.es", "IT services",
     "Calle de Alcalá 120", "Madrid", "Spain", "es", True),
    ("Mediterránea Foods SA", "mediterraneafoods.es", "Food & beverage",
     "Avinguda del Port 62", "Valencia", "Spain", "es", False),
    ("Castellana Seguros SA", "castellanaseguros.es", "Insurance",
     "Paseo de la Castellana 95", "Madrid", "Spain", "es", False),
    ("Barcelona Mobility Lab SL", "bcnmobilitylab.es", "Transportation",
     "Carrer de Pujades 77", "Barcelona", "Spain", "es", False),
    ("Atlântico Software Lda", "atlantico-software.pt", "Software",
     "Avenida da Liberdade 110", "Lisboa", "Portugal", "pt", False),
    ("Officine Brenta Srl", "officinebrenta.it", "Manufacturing",
     "Via Venezia 59", "Padova", "Italy", "it", False),
    ("Milano Moda Digitale Srl", "milanomodadigitale.it", "Retail",
     "Corso Como 15", "Milano", "Italy", "it", False),
    ("Havnegade Consulting ApS", "havnegade.dk", "Consulting",
     "Havnegade 39", "København", "Denmark", "dk", True),
    ("Fjordlys Energi AS", "fjordlys.no", "Energy",
     "Bryggen 9", "Bergen", "Norway", "no", False),
    ("Nordkapp Shipping AS", "nordkapp-shipping.no", "Logistics",
     "Dronning Eufemias gate 16", "Oslo", "Norway", "no", False),
    ("Björkvik Byggsystem AB", "bjorkvik.se", "Construction",
     "Lilla Bommen 5", "Göteborg", "Sweden", "se", False),
    ("Ljusdal Health AB", "ljusdalhealth.se", "Healthcare",
     "Sveavägen 44", "Stockholm", "Sweden", "se", False),
    ("Saimaa Forest Oy", "saimaaforest.fi", "Forestry",
     "Hämeenkatu 13", "Tampere", "Finland", "fi", False),
    ("Wisła Logistics Sp. z o.o.", "wisla-logistics.pl", "Logistics",
     "ul. Prosta 51", "Warszawa", "Poland", "pl", False),
    ("Kraków Code Works", "krakowcodeworks.pl", "Software",
     "ul. Zabłocie 23", "Kraków", "Poland", "pl", True),
    ("Vltava Systems s.r.o.", "vltavasystems.cz", "IT services",
     "Karlovo náměstí 10", "Praha", "Czechia", "cz", False),
    ("Duna Print Kft.", "dunaprint.hu", "Printing",
     "Váci út 33", "Budapest", "Hungary", "hu", False),
    ("Tallinn Cloud OÜ", "tallinncloud.ee", "Software",
     "Narva mnt 5", "Tallinn", "Estonia", "ee", False),
    ("Aegean Ferries SA", "aegeanferries.gr", "Transportation",
     "Akti Miaouli 47", "Piraeus", "Greece", "gr", False),
    ("Liffey Analytics Ltd", "liffeyanalytics.ie", "Software",
     "Sir John Rogerson's Quay 2", "Dublin", "Ireland", "ie", False),
    ("Thames Ledger Ltd", "thamesledger.co.uk", "Fintech",
     "30 Finsbury Square", "London", "United Kingdom", "uk", False),
    ("Pennine Outdoor Ltd", "pennineoutdoor.co.uk", "Retail",
     "12 Wellington Street", "Leeds", "United Kingdom", "uk", False),
    ("Clydeside Engineering Ltd", "clydeside-eng.co.uk", "Manufacturing",
     "80 Finnieston Street", "Glasgow", "United Kingdom", "uk", False),
    ("Bluebonnet Health Inc.", "bluebonnethealth.com", "Healthcare",
     "600 Congress Ave", "Austin", "United States", "us", False),
    ("Harborview Capital LLC", "harborviewcap.com", "Financial services",
     "75 State Street", "Boston", "United States", "us", False),
    ("Cascade Freight Co.", "cascadefreight.com", "Logistics",
     "1200 Western Ave", "Seattle", "United States", "us", False),
    ("Prairie EdTech Inc.", "prairieedtech.com", "Education",
     "222 W Merchandise Mart Plaza", "Chicago", "United States", "us", False),
)  # fmt: skip

REGIONS = {
    "Germany": "DACH", "Austria": "DACH", "Switzerland": "DACH",
    "France": "Western Europe", "Belgium": "Benelux", "Netherlands": "Benelux",
    "Spain": "Southern Europe", "Portugal": "Southern Europe", "Italy": "Southern Europe",
    "Greece": "Southern Europe", "Denmark": "Nordics", "Norway": "Nordics",
    "Sweden": "Nordics", "Finland": "Nordics", "Poland": "CEE", "Czechia": "CEE",
    "Hungary": "CEE", "Estonia": "CEE", "Ireland": "UK & Ireland",
    "United Kingdom": "UK & Ireland", "United States": "North America",
}  # fmt: skip

DIALING = {
    "Germany": "+49", "Austria": "+43", "Switzerland": "+41", "France": "+33",
    "Belgium": "+32", "Netherlands": "+31", "Spain": "+34", "Portugal": "+351",
    "Italy": "+39", "Greece": "+30", "Denmark": "+45", "Norway": "+47", "Sweden": "+46",
    "Finland": "+358", "Poland": "+48", "Czechia": "+420", "Hungary": "+36",
    "Estonia": "+372", "Ireland": "+353", "United Kingdom": "+44", "United States": "+1",
}  # fmt: skip

CURRENCIES = {"United Kingdom": "GBP", "United States": "USD"}
# Name pool → language code, where they differ.
LANGUAGES = {"uk": "en", "us": "en", "ie": "en", "dk": "da", "se": "sv", "gr": "el", "ee": "et",
             "cz": "cs"}  # fmt: skip

# Given names and family names that combine freely, per language.
NAME_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": (
        ("Jürgen", "Katrin", "Lukas", "Anna", "Matthias", "Sabine", "Felix", "Lena",
         "Tobias", "Ute", "Stefan", "Miriam", "Jörg", "Henrike", "Björn", "Annika"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann",
         "Schäfer", "Köhler", "Krüger", "Groß", "Wagner", "Vogel", "Hübner", "Weiß",
         "Brandt"),
    ),
    "fr": (
        ("Zoë", "Camille", "Élodie", "Hélène", "Julien", "Antoine", "Mathilde", "Léa",
         "Théo", "François", "Amélie", "Benoît", "Céline", "Noémie", "Jérôme"),
        ("Lefèvre", "Dubois", "Moreau", "Laurent", "Girard", "Rousseau", "Fontaine",
         "Chevalier", "Mercier", "Bérenger", "Lemaître", "Faure", "Gauthier"),
    ),
    "nl": (
        ("Sanne", "Daan", "Femke", "Joris", "Lotte", "Bram", "Anouk", "Ruben", "Maarten",
         "Eline"),
        ("de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Mulder",
         "de Jong", "Peeters", "Maes"),
    ),
    "es": (
        ("José", "María", "Lucía", "Álvaro", "Sofía", "Javier", "Inés", "Sergio", "Marta",
         "Raúl", "Nuria", "Andrés"),
        ("Martínez", "García", "López", "Fernández", "Sánchez", "Pérez", "Gómez", "Díaz",
         "Ruiz", "Muñoz", "Jiménez", "Álvarez"),
    ),
    "pt": (
        ("João", "Inês", "Tiago", "Beatriz", "Gonçalo", "Mariana", "Rui", "Leonor"),
        ("Silva", "Gonçalves", "Araújo", "Conceição", "Ferreira", "Magalhães", "Costa"),
    ),
    "it": (
        ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Niccolò", "Alessandro", "Elena"),
        ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "De Luca"),
    ),
    "dk": (
        ("Søren", "Mette", "Mikkel", "Freja", "Rasmus", "Ida", "Anders", "Sofie"),
        ("Kristensen", "Jørgensen", "Søndergaard", "Holm", "Nørgaard", "Christensen"),
    ),
    "no": (
        ("Ingrid", "Kjetil", "Sigrid", "Lars", "Håkon", "Solveig", "Øystein", "Marte"),
        ("Ødegaard", "Hansen", "Bjørnstad", "Haugen", "Johansen", "Strøm", "Berg"),
    ),
    "se": (
        ("Åsa", "Björn", "Elin", "Oskar", "Linnéa", "Gustav", "Maja", "Erik"),
        ("Lindqvist", "Åberg", "Nyström", "Sjöberg", "Lindgren", "Ekström", "Holmberg"),
    ),
    "fi": (
        ("Aino", "Mikko", "Päivi", "Jukka", "Sanna", "Ville", "Heikki", "Kaisa"),
        ("Virtanen", "Mäkinen", "Korhonen", "Lehtonen", "Heikkinen", "Järvinen"),
    ),
    "pl": (
        ("Agnieszka", "Łukasz", "Małgorzata", "Paweł", "Zofia", "Krzysztof", "Katarzyna",
         "Michał"),
        ("Nowak", "Wójcik", "Mazur", "Krawczyk", "Zając", "Król", "Dudek", "Wróbel"),
    ),
    "ie": (
        ("Siobhán", "Aoife", "Ciarán", "Niamh", "Seán", "Orla", "Declan", "Róisín"),
        ("O'Connor", "Murphy", "Walsh", "Kennedy", "Byrne", "O'Sullivan", "Doyle"),
    ),
    "uk": (
        ("Oliver", "Charlotte", "Harry", "Amelia", "James", "Priya", "Emily", "Marcus",
         "Aisha", "Fraser", "Eilidh"),
        ("Smith", "Taylor", "Brown", "Patel", "Williams", "Campbell", "MacLeod", "Hughes",
         "Okafor", "Evans"),
    ),
    "us": (
        ("Michael", "Jessica", "Daniel", "Olivia", "Ethan", "Grace", "Wei", "Carlos",
         "Madison", "Tyler", "Aaliyah", "Brandon"),
        ("Johnson", "Nguyen", "Chen", "Rodríguez", "Miller", "Davis", "Thompson", "Garcia",
         "Kim", "Washington", "Brooks"),
    ),
}  # fmt: skip

# Gendered family names make free combination wrong: these pools list whole names.
FULL_NAMES: dict[str, tuple[str, ...]] = {
    "cz": ("Jiří Dvořák", "Petra Svobodová", "Tomáš Černý", "Lucie Novotná",
           "Ondřej Procházka", "Kateřina Horáková", "Marek Veselý", "Tereza Kučerová"),
    "hu": ("Zsófia Nagy", "Gábor Kovács", "Eszter Tóth", "Balázs Szabó", "Réka Horváth",
           "Dániel Varga", "Krisztina Fekete"),
    "ee": ("Kristjan Tamm", "Liis Saar", "Mart Sepp", "Kadri Mägi", "Andres Kask",
           "Triin Rebane", "Karl Ilves"),
    "gr": ("Nikos Papadopoulos", "Eleni Georgiou", "Giorgos Antoniou", "Maria Konstantinou",
           "Dimitris Nikolaidis", "Katerina Ioannou", "Yannis Christodoulou"),
}  # fmt: skip

# People the demo always has (the README and `tinycrm demo` search for them).
FEATURED = {
    "Nordlicht Logistik GmbH": "Jürgen Müller",
    "Lumière Retail SAS": "Zoë Lefèvre",
    "Nordkapp Shipping AS": "Søren Ødegaard",
    "Soluciones Ibéricas SL": "José Martínez",
}

TITLES = {
    "decision-maker": ("CEO", "Managing Director", "CFO", "CTO", "VP Sales",
                       "Head of Operations", "COO", "Chief Digital Officer"),
    "buyer": ("Procurement Manager", "Head of Procurement", "Purchasing Lead",
              "Vendor Manager"),
    "influencer": ("IT Manager", "Solutions Architect", "Sales Operations Lead",
                   "Head of Customer Success", "Finance Controller", "Data Lead"),
    "user": ("Account Executive", "Customer Success Manager", "Operations Analyst",
             "Inside Sales Representative", "Office Manager", "Project Manager"),
    "other": ("Executive Assistant", "Legal Counsel", "Works Council Member"),
}  # fmt: skip
ROLE_WEIGHTS = (
    ("decision-maker", 20),
    ("buyer", 15),
    ("influencer", 25),
    ("user", 30),
    ("other", 10),
)
SOURCES = (("referral", 20), ("web", 30), ("event", 20), ("partner", 10), ("outbound", 20))
LOST_REASONS = (
    ("price", 25), ("went with competitor", 25), ("no budget", 20), ("timing", 15),
    ("no decision", 8), ("chose to build in-house", 4), ("champion left", 3),
)  # fmt: skip
LEGAL_FORMS = (
    "GmbH", "AG", "SAS", "SARL", "SA", "NV", "BV", "SL", "Lda", "Srl", "ApS", "AS", "AB", "Oy",
    "Sp. z o.o.", "s.r.o.", "Kft.", "OÜ", "Ltd", "Inc.", "LLC", "Co.",
)  # fmt: skip
CHURN_REASONS = ("went with competitor", "price", "no budget")
PRODUCTS = (
    "Platform licence", "Annual subscription", "Analytics add-on", "Onboarding package",
    "Premium support", "Pilot project", "Data migration", "API access tier",
    "Team expansion", "Training programme", "Multi-site rollout", "Integration bundle",
)  # fmt: skip
EVENTS = ("SaaStr Europa", "Web Summit", "CeBIT Connect", "VivaTech", "Slush", "DMEXCO")
COMPETITORS = ("Pipedrive", "HubSpot", "Salesforce", "Zoho", "a local agency")

CALLS = (
    "Discovery call with {first}", "Follow-up call about pricing", "Check-in call",
    "Call with {first} about the security review", "Left a voicemail for {first}",
    "Scoping call: integrations", "Call to walk through the proposal",
    "Reference call arranged for {first}",
)  # fmt: skip
EMAILS = (
    "Sent the proposal to {first}", "Sent the pricing sheet", "Intro email",
    "Follow-up on contract redlines", "Shared a case study", "Answered questions on GDPR",
    "Sent meeting recap", "Sent the onboarding checklist", "Shared the API documentation",
    "Re: procurement questionnaire",
)  # fmt: skip
MEETINGS = (
    "Demo for the operations team", "On-site workshop", "Quarterly business review",
    "Kick-off meeting", "Negotiation meeting with procurement", "Technical deep dive",
    "Lunch with {first}", "Stakeholder alignment meeting",
)  # fmt: skip
NOTES = (
    "Budget approved for next quarter", "{competitor} is also in the running",
    "{first} prefers email over calls", "Legal review takes about three weeks",
    "Needs SSO before signing", "Decision expected after the board meeting",
    "Invoices must go to the shared finance mailbox", "Asked for a 10% multi-year discount",
    "Champion is {first}", "Wants a reference customer in the same industry",
)  # fmt: skip
BODIES = (
    "Next step: send a revised quote by Friday.",
    "They are comparing us with {competitor}.",
    "Main concern is the migration effort from spreadsheets.",
    "Positive overall; procurement needs two more weeks.",
    "Asked for references in {industry}.",
    "Agreed to a pilot with two teams first.",
)  # fmt: skip
OPEN_TASKS = (
    "Send revised proposal to {first}", "Follow up with {first}", "Prepare demo environment",
    "Chase signed order form", "Book a call with procurement", "Draft the pilot plan",
    "Check the security questionnaire answers", "Send pricing for the extra seats",
)  # fmt: skip
LEAD_TASKS = (
    "Follow up with {first}", "Send intro deck to {first}", "Connect with {first} on LinkedIn",
    "Invite {first} to the webinar",
)  # fmt: skip
CONTACT_NOTES = (
    "Met at {event}; interested in reporting.",
    "Prefers to be contacted in the morning.",
    "Previously used {competitor}.",
    "Introduced by a partner.",
    "On parental leave until next month.",
)  # fmt: skip

ASCII_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "'": "", " ": ""})


def ascii_fold(text: str) -> str:
    """An email-friendly spelling: Jürgen → jurgen, Ødegaard → odegaard, O'Connor → oconnor."""
    lowered = text.lower().translate(ASCII_FOLD)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in "-"))
