//! Preferential attendance: a category the requester declares (Lei 10.048/2000 as amended by
//! Lei 14.626/2023, and people aged 80 or more first among the elderly, Estatuto da Pessoa
//! Idosa art. 3 § 2). Nothing is proved online: the cartório may ask for proof at the meeting.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preferential {
    Idoso80,
    Idoso,
    Deficiencia,
    Autismo,
    Gestante,
    Lactante,
    CriancaColo,
    MobilidadeReduzida,
    Obesidade,
    DoadorSangue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Escolha uma das categorias de atendimento preferencial da lista, ou nenhuma.")]
pub struct UnknownPreferential;

/// Where a request stands in the order staff serve: the lower tier first, the oldest first
/// within a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PreferenceTier {
    /// Aged 80 or more: first even among the other categories.
    Eighty = 0,
    /// Any other category.
    Preferential = 1,
    None = 2,
}

impl Preferential {
    /// In the order a form lists them: the law's order, 80+ first.
    pub const ALL: [Preferential; 10] = [
        Self::Idoso80,
        Self::Idoso,
        Self::Deficiencia,
        Self::Autismo,
        Self::Gestante,
        Self::Lactante,
        Self::CriancaColo,
        Self::MobilidadeReduzida,
        Self::Obesidade,
        Self::DoadorSangue,
    ];

    /// A code of the API, or nothing for an empty field (no category).
    pub fn parse_optional(input: &str) -> Result<Option<Self>, UnknownPreferential> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        Self::from_code(input).map(Some).ok_or(UnknownPreferential)
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|category| category.code() == code)
    }

    /// The API's and the database's name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Idoso80 => "idoso80",
            Self::Idoso => "idoso",
            Self::Deficiencia => "deficiencia",
            Self::Autismo => "autismo",
            Self::Gestante => "gestante",
            Self::Lactante => "lactante",
            Self::CriancaColo => "crianca_colo",
            Self::MobilidadeReduzida => "mobilidade_reduzida",
            Self::Obesidade => "obesidade",
            Self::DoadorSangue => "doador_sangue",
        }
    }

    /// What the requester reads on the form, in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Idoso80 => "Pessoa com 80 anos ou mais",
            Self::Idoso => "Pessoa idosa (60 anos ou mais)",
            Self::Deficiencia => "Pessoa com deficiência",
            Self::Autismo => "Pessoa com transtorno do espectro autista (TEA)",
            Self::Gestante => "Gestante",
            Self::Lactante => "Lactante (amamentando)",
            Self::CriancaColo => "Pessoa acompanhada de criança de colo",
            Self::MobilidadeReduzida => "Pessoa com mobilidade reduzida",
            Self::Obesidade => "Pessoa com obesidade",
            Self::DoadorSangue => "Doador(a) de sangue",
        }
    }

    /// The staff's badge: short enough for a list row.
    pub fn badge(self) -> &'static str {
        match self {
            Self::Idoso80 => "80+",
            Self::Idoso => "Idoso(a)",
            Self::Deficiencia => "PcD",
            Self::Autismo => "TEA",
            Self::Gestante => "Gestante",
            Self::Lactante => "Lactante",
            Self::CriancaColo => "Criança de colo",
            Self::MobilidadeReduzida => "Mobilidade reduzida",
            Self::Obesidade => "Obesidade",
            Self::DoadorSangue => "Doador(a) de sangue",
        }
    }
}

impl PreferenceTier {
    pub fn of(category: Option<Preferential>) -> Self {
        match category {
            Some(Preferential::Idoso80) => Self::Eighty,
            Some(_) => Self::Preferential,
            None => Self::None,
        }
    }

    /// The number stored beside the request, so the database sorts by it.
    pub fn rank(self) -> i16 {
        self as i16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_its_category() {
        for category in Preferential::ALL {
            assert_eq!(
                Preferential::parse_optional(category.code()),
                Ok(Some(category))
            );
            assert!(!category.label().is_empty() && !category.badge().is_empty());
        }
        let codes: std::collections::HashSet<_> =
            Preferential::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), Preferential::ALL.len(), "codes are distinct");
    }

    #[test]
    fn parsing_follows_the_table() {
        let cases = [
            ("empty is no category", "", Ok(None)),
            ("blank is no category", "  ", Ok(None)),
            ("a code", "gestante", Ok(Some(Preferential::Gestante))),
            (
                "surrounding space",
                " idoso80 ",
                Ok(Some(Preferential::Idoso80)),
            ),
            ("codes are lower case", "IDOSO", Err(UnknownPreferential)),
            ("unknown", "vip", Err(UnknownPreferential)),
            (
                "a label is not a code",
                "Gestante",
                Err(UnknownPreferential),
            ),
            (
                "hyphen for underscore",
                "crianca-colo",
                Err(UnknownPreferential),
            ),
        ];
        for (description, input, expected) in cases {
            assert_eq!(
                Preferential::parse_optional(input),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn eighty_and_over_come_first_then_every_other_category_then_the_rest() {
        use Preferential::*;
        let tiers: Vec<_> = [Some(Idoso80), Some(Idoso), Some(DoadorSangue), None]
            .into_iter()
            .map(PreferenceTier::of)
            .collect();
        assert_eq!(
            tiers,
            [
                PreferenceTier::Eighty,
                PreferenceTier::Preferential,
                PreferenceTier::Preferential,
                PreferenceTier::None
            ]
        );
        assert_eq!(
            tiers.iter().map(|tier| tier.rank()).collect::<Vec<_>>(),
            [0, 1, 1, 2]
        );
        for category in Preferential::ALL.into_iter().skip(1) {
            assert_eq!(
                PreferenceTier::of(Some(category)),
                PreferenceTier::Preferential
            );
        }
    }
}
