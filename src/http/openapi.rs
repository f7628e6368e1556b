//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' annotations.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sistema Contato API",
        description = "Pedidos de atendimento por videoconferência do Balcão Virtual. \
            Mensagens de erro em português; 422 traz `errors` por campo.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "public", description = "Filing and following a request"),
        (name = "staff", description = "Clerks and admins, with a bearer token"),
        (name = "admin", description = "Accounts, zones, holidays, jobs and data subjects (LGPD); admins only")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
