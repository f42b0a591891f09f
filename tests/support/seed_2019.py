"""An independent reading of the printed 2019 programme (seeds/003_496706636105c8cc.txt).

Written by hand from the seed, not from school/data/spring-school-2019.yaml, so the
tests can check the demo data against it. Items with only a start time end when
the next item starts; the 14h30-17h30 round-table block is read as three
consecutive one-hour round tables.
"""

D1, D2, D3 = "2019-06-19", "2019-06-20", "2019-06-21"

# (date, start, end, kind, a lower-case word or phrase found in the French title)
SEED_ITEMS = [
    (D1, "08:45", "09:15", "break", "accueil café"),
    (D1, "09:15", "09:30", "plenary", "bienvenue"),
    (D1, "09:30", "10:15", "plenary", "missions et des valeurs"),
    (D1, "10:15", "11:15", "plenary", "cdm21"),
    (D1, "11:15", "11:45", "break", "pause-café"),
    (D1, "11:45", "12:45", "plenary", "équipes"),
    (D1, "13:00", "14:30", "break", "buffet déjeuner"),
    (D1, "14:30", "16:30", "workshop", "ateliers d'échanges"),
    (D1, "16:30", "17:00", "break", "pause"),
    (D1, "17:00", "18:30", "social", "place publique"),
    (D1, "17:00", "18:30", "visit", "fab lab"),
    (D1, "17:00", "18:30", "visit", "explora"),
    (D1, "18:00", "19:30", "meeting", "assemblée générale"),
    (D2, "08:45", "09:15", "break", "accueil café"),
    (D2, "09:15", "09:30", "plenary", "mot d'accueil"),
    (D2, "09:30", "10:30", "conference", "enjeux européens"),
    (D2, "10:30", "12:30", "conference", "mutations sociales"),
    (D2, "12:30", "14:30", "break", "buffet déjeuner"),
    (D2, "14:30", "15:30", "round_table", "son métier"),
    (D2, "15:30", "16:30", "round_table", "les services"),
    (D2, "16:30", "17:30", "round_table", "le territoire"),
    (D2, "17:30", "18:30", "plenary", "témoin"),
    (D2, "18:30", "19:30", "social", "cocktail"),
    (D3, "09:30", "10:00", "break", "accueil"),
    (D3, "10:00", "12:00", "workshop", "expérimentation cdm21"),
    (D3, "12:00", "13:00", "plenary", "bilan"),
    (D3, "14:00", "15:30", "meeting", "effervescence"),
    (D3, "14:00", "15:30", "meeting", "cdm france"),
    (D3, "14:00", "15:00", "conference", "labcom"),
]

TENTATIVE = {("Sandrine", "Lamiré"), ("Koulsoum", "Logerot")}

SPEAKERS = [
    # day 1
    ("Marie-Hélène", "Coulhon Wehr"),
    ("Raquel", "Castello-Branco"),
    ("Alain", "Jouneau"),
    ("Olivier", "Las Vergnas"),
    ("Rafaël", "Ricardou"),
    ("Sylvie", "Sesma"),
    # day 2
    ("Bruno", "Maquart"),
    ("Julia", "Fionda"),
    ("Sandrine", "Lamiré"),
    ("Majda", "Jelenčić"),
    ("Jean-Michel", "Bonvin"),
    ("Patrick", "Lévy-Waitz"),
    ("Lionel", "Larqué"),
    ("Elena", "Buscemi"),
    ("René", "Bagorski"),
    ("Anne-Sophie", "Casteigt"),
    ("Marja", "Pudas"),
    ("Grégoire", "Evequoz"),
    ("Joël", "Saingré"),
    ("Koulsoum", "Logerot"),
    ("Charlotte", "Dudignac"),
    ("Bernard", "Van Asbrouck"),
    ("Aurore", "Dandoy"),
    ("Carolina", "Ferreira"),
    ("Majid", "El Jarroudi"),
    ("Patrice", "Bony"),
    ("Hugues", "Bazin"),
    ("Philippe", "Maitreau"),
]

ROUND_TABLES = {
    1: ["Casteigt", "Pudas", "Evequoz", "Saingré"],
    2: ["Logerot", "Dudignac", "Van Asbrouck", "Dandoy", "Ferreira"],
    3: ["El Jarroudi", "Bony", "Bazin", "Maitreau"],
}
