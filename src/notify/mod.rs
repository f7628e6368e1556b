//! E-mail: templates in Portuguese (`email_templates/`), the calendar invitation, and the
//! transport (SMTP, or `.eml` files when no SMTP server is configured).

pub mod compose;
pub mod context;
pub mod ics;
pub mod mailer;
pub mod templates;

pub use compose::{ComposeError, Outgoing, compose};
pub use mailer::{Delivery, Mailer, SendError};
pub use templates::{Message, Rendered, TemplateError, Templates};
