//! The data-subject page in a real browser (headless Chromium): an admin reaches it from the
//! admin index, looks a person up by CPF and reads every section; a bad CPF is shown beside
//! its field; the same works on a phone without JavaScript. Every state passes axe-core.
//! Screenshots go to `target/screenshots/`.

use crate::{
    browser::{Browser, DESKTOP},
    browser_panel::sign_in,
    data_subject::seed,
};

#[tokio::test]
async fn an_admin_looks_a_person_up_and_reads_every_section() {
    let seeded = seed().await;
    let app = &seeded.app;
    let browser = Browser::open(DESKTOP.0, DESKTOP.1).await;
    sign_in(app, &browser, "ti@tre-pa.jus.br").await;

    browser.goto(&app.url("/painel/admin")).await;
    browser.click_text("Titulares de dados (LGPD)").await;
    assert_eq!(browser.path().await, "/painel/admin/titulares");
    browser.axe("painel/admin/titulares").await;
    browser.screenshot("painel-admin-titulares-desktop").await;

    browser.fill("#cpf", "123.456.789-00").await;
    browser.click_text("Consultar").await;
    assert!(browser.title_starts_with("Erro:").await);
    assert!(
        browser
            .text(".error-summary")
            .await
            .contains("CPF inválido: confira os dígitos.")
    );
    browser.axe("painel/admin/titulares (CPF inválido)").await;

    let cpf = format!(
        "{}.{}.{}-{}",
        &seeded.cpf[..3],
        &seeded.cpf[3..6],
        &seeded.cpf[6..9],
        &seeded.cpf[9..]
    );
    browser.fill("#cpf", &cpf).await;
    browser.click_text("Consultar").await;
    let main = browser.text("main").await;
    for shown in [
        format!("Resultado para o CPF {cpf}"),
        format!("Pedido {}", seeded.attended.1),
        format!("Pedido {}", seeded.cancelled.1),
        "Preciso da segunda via do título.".to_string(),
        "4 de 5".to_string(),
        "Resposta rápida.".to_string(),
        format!("Senha nº {}", seeded.ticket),
        "E-mail: chamada da fila".to_string(),
        "E-mail: pesquisa de satisfação".to_string(),
    ] {
        assert!(main.contains(&shown), "the page shows {shown:?}");
    }
    assert!(!main.contains(&seeded.other.name));
    assert!(!main.contains(&seeded.other.protocol));
    let mut headings = Vec::new();
    for heading in browser.find_all("h2").await {
        headings.push(heading.text().await.unwrap());
    }
    for section in [
        "Pedidos",
        "Senhas da fila do atendimento imediato",
        "Pesquisas de satisfação",
        "E-mails e tarefas",
    ] {
        assert!(
            headings.iter().any(|heading| heading == section),
            "a section {section:?}: {headings:?}"
        );
    }
    browser
        .client()
        .execute(
            "document.querySelectorAll('details').forEach(d => d.open = true);",
            vec![],
        )
        .await
        .unwrap();
    browser.axe("painel/admin/titulares (resultado)").await;
    browser
        .screenshot("painel-admin-titulares-resultado-desktop")
        .await;
    browser.close().await;

    // On a phone without JavaScript: the form posts, and the result reads the same.
    let phone = Browser::phone_without_javascript().await;
    sign_in(app, &phone, "ti@tre-pa.jus.br").await;
    phone.goto(&app.url("/painel/admin/titulares")).await;
    phone.fill("#cpf", &seeded.cpf).await;
    phone.click_text("Consultar").await;
    assert!(
        phone
            .text("main")
            .await
            .contains(&format!("Pedido {}", seeded.open.1))
    );
    phone
        .screenshot("painel-admin-titulares-resultado-phone")
        .await;
    phone.close().await;
}
