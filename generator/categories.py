"""The six ethics categories, in display order. A leaf module: no heavy imports."""

CATEGORY_TITLES = {
    "rigorous": "Rigorous",
    "consentful": "Consentful",
    "socially-conscious": "Socially conscious",
    "sustainable": "Sustainable",
    "inclusive": "Inclusive",
    "inquisitive": "Inquisitive",
}
CATEGORIES = tuple(CATEGORY_TITLES)
