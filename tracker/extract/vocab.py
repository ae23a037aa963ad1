"""Closed word lists the extractor's rules use (English)."""

from __future__ import annotations

# Words of a job title inside a name run: "US President Donald Trump".
TITLE_WORDS = {
    "president", "vice", "prime", "minister", "secretary", "secretary-general", "advisor", "adviser",
    "chancellor", "director", "general", "gen.", "admiral", "adm.", "senator", "sen.", "representative",
    "rep.", "governor", "gov.", "ambassador", "amb.", "king", "queen", "prince", "princess", "emir", "sheikh",
    "chairman", "chairwoman", "chair", "leader", "spokesman", "spokeswoman", "spokesperson", "premier",
    "mayor", "commander", "chief", "envoy", "deputy", "counsel", "attorney", "justice", "judge", "speaker",
    "mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr", "lt.", "col.", "colonel", "major", "captain",
    "marshal", "foreign", "defense", "defence", "national", "security", "state", "interior", "finance",
    "treasury", "trade", "energy", "homeland", "intelligence", "supreme", "grand", "ayatollah", "pope",
    "then-president", "former", "acting", "incoming", "outgoing", "president-elect", "russian", "us", "u.s.",
    "american", "chinese", "british", "french", "german", "iranian", "turkish", "syrian", "ukrainian",
    "north", "south", "korean", "israeli", "indian", "pakistani", "japanese", "saudi", "austrian", "canadian",
}
# Title words that must be present for a name run to be shortened.
CORE_TITLES = {
    "president", "minister", "secretary", "secretary-general", "advisor", "adviser", "chancellor",
    "director", "general", "gen.", "admiral", "adm.", "senator", "sen.", "representative", "rep.", "governor",
    "gov.", "ambassador", "amb.", "king", "queen", "prince", "princess", "emir", "sheikh", "chairman",
    "chairwoman", "leader", "spokesman", "spokeswoman", "spokesperson", "premier", "mayor", "commander",
    "envoy", "counsel", "speaker", "mr.", "mrs.", "ms.", "dr.", "colonel", "captain", "marshal", "ayatollah",
    "pope", "then-president", "president-elect", "chief",
}

# Nouns that name a source of a reported claim.
SOURCE_NOUNS = {
    "sources", "source", "officials", "official", "reports", "report", "media", "press", "analysts", "analyst",
    "observers", "experts", "expert", "diplomats", "diplomat", "agencies", "agency", "intelligence", "leaders",
    "leader", "government", "ministry", "spokesman", "spokeswoman", "spokesperson", "aides", "aide",
    "insiders", "people", "commentators", "critics", "journalists", "newspaper", "outlets", "outlet",
    "administration", "kremlin", "white", "house", "pentagon", "department", "state", "office", "authorities",
    "military", "police", "investigators", "prosecutors", "lawmakers", "senators", "members", "staff",
    "officers", "representatives", "ministers", "minister", "secretary", "director", "president", "voters",
    "polls", "pollsters", "economists", "scholars", "researchers", "briefers", "sources,", "statement",
    "models", "model", "forecasters", "forecaster", "majority", "projections", "simulations",
}
REPORT_VERBS = {
    "said", "say", "says", "claim", "claims", "claimed", "reported", "report", "reports", "told", "tell",
    "tells", "believe", "believes", "believed", "argue", "argues", "argued", "stated", "state", "states",
    "stressed", "stresses", "noted", "note", "notes", "warned", "warn", "warns", "suggested", "suggest",
    "suggests", "indicated", "indicate", "indicates", "announced", "announce", "announces", "added", "add",
    "adds", "insisted", "insist", "insists", "contend", "contends", "contended", "predicted", "predict",
    "predicts", "expect", "expects", "expected", "think", "thinks", "thought", "assert", "asserts",
    "asserted", "maintain", "maintains", "maintained", "estimate", "estimates", "estimated", "assess",
    "assesses", "assessed", "allege", "alleges", "alleged", "proposed", "propose", "proposes", "confirmed",
    "confirm", "confirms", "denied", "deny", "denies", "revealed", "reveal", "reveals", "pointed",
    "speculated", "speculate", "speculates", "fear", "fears", "feared", "hope", "hopes", "hoped", "wrote",
    "write", "writes", "explained", "explain", "explains", "emphasized", "emphasised", "cautioned",
    "caution", "cautions", "forecast", "forecasts", "projected", "project", "projects", "concluded",
    "conclude", "concludes", "judge", "judges", "judged", "acknowledged", "acknowledge", "acknowledges",
    "disclosed", "signaled", "signalled", "hinted", "promised", "promise", "promises", "vowed", "vow",
    "vows", "pledged", "pledge", "pledges", "threatened", "threaten", "threatens",
}
# Words that open an introductory phrase ("In March 2017, ...", "However, ...").
INTRO_WORDS = {
    "in", "on", "at", "during", "after", "before", "by", "since", "if", "when", "while", "although",
    "though", "because", "as", "despite", "given", "following", "over", "within", "however", "meanwhile",
    "still", "moreover", "furthermore", "nevertheless", "nonetheless", "separately", "overall", "finally",
    "also", "for", "with", "without", "once", "until", "unless", "earlier", "later", "last", "next", "this",
    "today", "yesterday", "tomorrow", "then", "now", "currently", "instead", "indeed", "thus", "therefore",
    "consequently", "additionally", "according", "amid", "against", "under", "from", "beyond", "ahead",
    "regardless", "similarly", "likewise", "accordingly", "eventually", "ultimately", "soon", "first",
    "second", "third", "but", "and", "yet", "so", "in addition", "at the same time",
}
SUBORDINATORS = {"if", "unless", "when", "while", "although", "though", "because", "since", "once", "until",
                 "whereas", "as", "after", "before", "whether", "provided", "assuming"}
PREPOSITIONS = {
    "of", "in", "from", "with", "at", "on", "for", "between", "among", "to", "by", "within", "across", "over",
    "under", "near", "around", "about", "against", "during", "into", "through", "toward", "towards", "via",
    "amid", "despite", "without", "after", "before", "since", "until", "like", "than", "including",
}
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our", "my",
               "your", "some", "any", "each", "every", "both", "either", "neither", "no", "another", "other",
               "such", "all", "several", "many", "few", "more", "most", "much"}
STOPWORDS = DETERMINERS | PREPOSITIONS | {
    "and", "or", "but", "not", "is", "are", "was", "were", "be", "been", "being", "will", "would", "may",
    "might", "could", "should", "shall", "can", "must", "do", "does", "did", "has", "have", "had", "it",
    "they", "them", "he", "she", "we", "us", "i", "you", "also", "still", "then", "there", "here", "which",
    "who", "whom", "whose", "what", "when", "where", "why", "how", "as", "so", "if", "very", "just", "only",
    "even", "again", "further", "up", "down", "out", "off", "own", "same", "too", "s", "t", "one", "two",
    "either", "whether", "likely", "probably", "possibly", "upcoming", "next", "by", "yes", "no",
}
# Verbs too generic to name a question ("take place", "attempt to push").
GENERIC_VERBS = {
    "take", "be", "have", "do", "make", "get", "go", "become", "remain", "attempt", "try", "seek", "continue",
    "begin", "start", "keep", "stay", "come", "appear", "seem", "look", "want", "need", "aim", "plan",
    "intend", "move", "decide", "choose", "manage", "fail", "hope", "use",
}
# Verbs whose event has a noun that later sentences may name ("the meeting").
EVENT_VERBS = {
    "meet": ("meeting", "talks"), "visit": ("visit", "meeting", "trip"), "travel": ("trip", "visit"),
    "hold": (), "talk": ("talks",), "negotiate": ("negotiations", "talks"), "vote": ("vote",),
    "elect": ("election",), "launch": ("launch",), "test": ("test",), "sign": ("signing",),
    "convene": ("meeting", "session", "summit"), "gather": ("meeting", "gathering"),
    "deploy": ("deployment",), "withdraw": ("withdrawal",), "announce": ("announcement",),
    "rule": ("ruling", "decision"), "decide": ("decision",), "attend": ("summit", "meeting"),
    "host": ("summit", "meeting", "visit"),
}
GENERIC_EVENT_MODS = {
    "upcoming", "planned", "proposed", "expected", "anticipated", "scheduled", "forthcoming", "coming",
    "next", "possible", "potential", "likely", "rumoured", "rumored", "mooted", "bilateral", "first",
    "much-anticipated", "long-awaited", "high-profile", "official", "two-day", "one-day", "three-day",
    "planned-for", "same", "new", "previous", "recent", "further", "such", "any", "two", "leaders",
    "leaders'", "highly", "anticipated", "eventual", "putative", "reported", "said", "two-way", "face-to-face",
    "in-person", "formal", "informal", "long-planned", "summit-level", "one-on-one", "historic", "key",
}
IRREGULAR_PAST = {
    "was", "were", "had", "did", "met", "went", "took", "made", "said", "led", "saw", "came", "gave", "got",
    "began", "became", "kept", "left", "held", "brought", "thought", "told", "found", "knew", "sent", "spent",
    "built", "fell", "felt", "fought", "won", "lost", "paid", "ran", "sold", "stood", "struck", "wrote",
    "broke", "chose", "drew", "drove", "flew", "forgot", "froze", "grew", "hid", "meant", "rose", "sought",
    "shook", "spoke", "stole", "swore", "taught", "threw", "understood", "withdrew", "overtook", "undertook",
    "bought", "caught", "dealt", "heard", "laid", "lay", "lent", "lit", "shot", "slid", "sped", "split",
    "spread", "swept", "tore", "wore", "wove", "wound", "upheld", "oversaw", "foresaw", "forbade", "arose",
}
PARTICIPLES = IRREGULAR_PAST | {
    "been", "done", "gone", "taken", "given", "seen", "known", "shown", "written", "chosen", "driven",
    "broken", "spoken", "stolen", "forgotten", "frozen", "grown", "risen", "hidden", "begun", "drawn",
    "fallen", "flown", "overtaken", "undertaken", "withdrawn", "beaten", "bitten", "born", "borne", "forgiven",
    "shaken", "sworn", "torn", "worn", "woven", "arisen", "forbidden", "foreseen", "overseen", "proven",
}
# Adjectives ending in -ed that are not past tense verbs in practice.
ED_NOT_VERBS = {
    "united", "red", "need", "speed", "feed", "bed", "seed", "shed", "proceed", "exceed", "succeed", "indeed",
    "embed", "breed", "greed", "creed", "deed", "weed", "heed", "reed", "steed", "tweed", "naked", "wicked",
    "sacred", "hundred", "kindred", "rugged", "ragged", "beloved", "learned", "aged", "alleged", "armed",
    "based", "limited", "advanced", "supposed", "expected", "detailed", "interested", "concerned",
    "experienced", "qualified", "related", "talented", "biased", "skilled", "sophisticated", "dedicated",
    "unprecedented", "unexpected", "unidentified", "unnamed", "so-called", "ted", "fred", "ed",
}
# Adverbs that may sit inside a verb group without changing its meaning.
FILLER_ADVERBS = {
    "also", "still", "then", "eventually", "soon", "again", "ultimately", "further", "now", "indeed",
    "nonetheless", "nevertheless", "therefore", "thus", "in", "turn", "only", "even", "quickly", "likely",
    "probably", "well", "already", "finally", "subsequently", "later", "shortly", "immediately", "first",
    "swiftly", "currently", "increasingly", "presently", "again",
}
# Names that end in -s but are one thing ("Brussels will ...").
SINGULAR_S_NAMES = {"brussels", "paris", "athens", "damascus", "caracas", "texas", "honduras", "cyprus", "mauritius",
                    "barbados", "bahamas", "philippines", "netherlands", "emirates", "states", "nations", "tunis",
                    "marrakesh", "lagos", "kansas", "arkansas", "illinois", "wales", "hamas", "isis", "mattis",
                    "reuters", "aids", "this", "us"}
COUNTABLE_SINGULAR_S = {"news", "series", "species", "politics", "economics", "physics", "crisis", "analysis",
                        "basis", "thesis", "status", "census", "consensus", "bus", "gas", "us", "this",
                        "process", "congress", "progress", "access", "success", "address", "business",
                        "alliance's", "iris", "axis", "chaos", "emphasis", "diagnosis", "corps"}

# Place names, demonyms and institutions -> tag. Entries written in upper case
# (acronyms such as "US", "EU") match case-sensitively; the rest ignore case.
GAZETTEER = {
    "russia": ("russia", "russian", "russians", "moscow", "kremlin"),
    "united-states": ("united states", "u.s.", "US", "america", "american", "americans", "washington",
                      "white house", "pentagon"),
    "ukraine": ("ukraine", "ukrainian", "kyiv", "kiev", "crimea", "donbas", "donbass"),
    "syria": ("syria", "syrian", "damascus", "aleppo", "idlib"),
    "china": ("china", "chinese", "beijing"),
    "iran": ("iran", "iranian", "tehran"),
    "north-korea": ("north korea", "north korean", "pyongyang", "DPRK"),
    "south-korea": ("south korea", "south korean", "seoul"),
    "united-kingdom": ("united kingdom", "britain", "british", "london", "u.k.", "UK"),
    "france": ("france", "french", "paris"),
    "germany": ("germany", "german", "berlin"),
    "turkey": ("turkey", "turkish", "ankara"),
    "israel": ("israel", "israeli", "jerusalem"),
    "saudi-arabia": ("saudi arabia", "saudi", "riyadh"),
    "venezuela": ("venezuela", "venezuelan", "caracas"),
    "afghanistan": ("afghanistan", "afghan", "kabul", "taliban"),
    "iraq": ("iraq", "iraqi", "baghdad"),
    "india": ("india", "indian", "new delhi"),
    "pakistan": ("pakistan", "pakistani", "islamabad"),
    "japan": ("japan", "japanese", "tokyo"),
    "austria": ("austria", "austrian", "vienna"),
    "finland": ("finland", "finnish", "helsinki"),
    "canada": ("canada", "canadian", "ottawa", "quebec"),
    "nato": ("NATO", "pre-NATO"),
    "eu": ("european union", "EU", "brussels"),
    "un": ("united nations", "UN", "u.n."),
    "g7": ("G7", "G-7", "G8", "G-8"),
    "g20": ("G20", "G-20"),
    "sanctions": ("sanction", "sanctions"),
    "elections": ("election", "elections", "electoral", "ballot", "referendum"),
    "nuclear": ("nuclear", "uranium", "warhead", "warheads", "enrichment"),
    "cyber": ("cyber", "cyberattack", "cyberattacks", "hacking", "hackers"),
}
