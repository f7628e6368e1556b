//! HTML form bodies (`application/x-www-form-urlencoded`), where a field may repeat.

use axum::http::{HeaderMap, header};

pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    pub fn parse(body: &[u8]) -> FormFields {
        FormFields(
            url::form_urlencoded::parse(body)
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, or an empty string.
    pub fn text(&self, name: &str) -> String {
        self.first(name).unwrap_or_default().to_string()
    }

    /// The first value of `name`, unless it is absent or blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.first(name)
            .filter(|value| !value.trim().is_empty())
            .map(str::to_string)
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(field, _)| field == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// A checkbox: present with any value but "off".
    pub fn checked(&self, name: &str) -> bool {
        self.first(name).is_some_and(|value| value != "off")
    }

    fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_decode_and_repeat() {
        let fields = FormFields::parse(
            b"name=Maria+Jos%C3%A9&preferred_dates=2026-12-03&preferred_dates=&consent=sim&empty=+",
        );
        assert_eq!(fields.text("name"), "Maria José");
        assert_eq!(fields.all("preferred_dates"), ["2026-12-03", ""]);
        assert!(fields.checked("consent"));
        assert!(!fields.checked("missing"));
        assert_eq!(fields.optional("empty"), None);
        assert_eq!(fields.text("missing"), "");
    }
}
