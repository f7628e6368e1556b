//! The `contato` command line: the service itself and the chores an administrator scripts.

use std::{
    io::{BufRead, IsTerminal},
    path::PathBuf,
};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::{
    app::AppError,
    clock::Clock,
    config::Settings,
    domain::{
        email::Email,
        field_errors::FieldErrors,
        staff::{Assignment, Password, Role, account_zones},
        text::PersonName,
    },
    passwords, reference,
    startup::{self, Application},
    store::NewStaff,
};

#[derive(Debug, Parser)]
#[command(
    name = "contato",
    version,
    about = "Sistema Contato: pedidos de atendimento por videoconferência do Balcão Virtual",
    long_about = "Sistema Contato: pedidos de atendimento por videoconferência do Balcão Virtual.\n\n\
        A configuração vem de config/default.toml (ou do arquivo em CONTATO_CONFIG) e de variáveis \
        CONTATO_<SEÇÃO>__<CHAVE>; DATABASE_URL também é aceita."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inicia o serviço web e o processador de tarefas (aplica as migrações e carrega zonas e
    /// feriados na primeira vez).
    Serve,
    /// Só o processador de tarefas (e-mails, agenda): para rodar em processos à parte.
    Worker,
    /// Aplica as migrações do banco de dados; pode ser repetido sem efeito.
    Migrate,
    /// Contas de servidores(as) e administradores(as).
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Zonas eleitorais.
    Zones {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Feriados (nacionais, estaduais, municipais e forenses).
    Holidays {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Os totais dos indicadores, mantidos a cada mudança de um pedido.
    Indicators {
        #[command(subcommand)]
        command: IndicatorsCommand,
    },
    /// Retenção de dados pessoais (LGPD).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Anonimiza agora os pedidos encerrados há mais de retention.anonymise_after_days dias
    /// (menos os sob guarda legal) e apaga e-mails antigos, como o processador faz todo dia.
    Run {
        /// Só mostra o que seria alterado, sem alterar nada.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum IndicatorsCommand {
    /// Confere os totais guardados com uma recontagem a partir dos pedidos (não altera nada).
    Check,
    /// Reconta os totais a partir dos pedidos e substitui os guardados (depois de carregar
    /// pedidos direto no banco, por exemplo).
    Recount,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Cria uma conta; a senha é lida da entrada padrão (mínimo de 12 caracteres).
    Add {
        /// E-mail de acesso.
        #[arg(long)]
        email: String,
        /// Nome completo.
        #[arg(long)]
        name: String,
        /// clerk: servidor(a) do cartório; admin: Secretaria/TI, vê todas as zonas.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Número de uma zona em que a pessoa atua (repita para várias).
        #[arg(long = "zone", value_name = "NÚMERO")]
        zones: Vec<i32>,
        /// A pessoa é intérprete de Libras e participa das reuniões de quem pediu intérprete.
        #[arg(long)]
        interpreter: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Importa um arquivo (atualiza o que já existe; pode ser repetido).
    Import {
        /// zones: um arquivo TOML como config/zones.toml; holidays: um CSV como config/holidays.csv.
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Clerk,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Clerk => Role::Clerk,
            RoleArg::Admin => Role::Admin,
        }
    }
}

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    // The command line is where the service meets the real world: its clock is the wall's.
    let clock = Clock::system();
    match cli.command {
        Command::Serve => {
            let application = Application::build(settings, clock).await?;
            application.run_until(startup::shutdown_signal()).await
        }
        Command::Worker => startup::run_worker(settings, clock).await,
        Command::Migrate => {
            let store = startup::open_store(&settings).await?;
            store.close().await?;
            println!("Migrações aplicadas.");
            Ok(())
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    email,
                    name,
                    role,
                    zones,
                    interpreter,
                },
        } => {
            let account = NewAccount {
                email: &email,
                name: &name,
                role: role.into(),
                zones,
                interpreter,
            };
            add_staff(&settings, &clock, account).await
        }
        Command::Zones {
            command: ImportCommand::Import { file },
        } => {
            let text = read(&file)?;
            let zones = reference::parse_zones(&text, &settings.calendar.allowed_link_hosts)?;
            let store = startup::open_store(&settings).await?;
            let report = store.import_zones(&zones, clock.now()).await?;
            store.close().await?;
            println!(
                "Zonas: {} novas, {} atualizadas.",
                report.inserted, report.updated
            );
            Ok(())
        }
        Command::Holidays {
            command: ImportCommand::Import { file },
        } => {
            let holidays = reference::parse_holidays(&read(&file)?)?;
            let store = startup::open_store(&settings).await?;
            let report = store.import_holidays(&holidays).await?;
            store.close().await?;
            println!(
                "Feriados: {} novos, {} atualizados.",
                report.inserted, report.updated
            );
            Ok(())
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run },
        } => {
            let store = startup::open_store(&settings).await?;
            let outcome = retention_run(&store, &settings, &clock, dry_run).await;
            store.close().await?;
            outcome
        }
        Command::Indicators { command } => {
            let store = startup::open_migrated(&settings).await?;
            let outcome = indicators(&store, command).await;
            store.close().await?;
            outcome
        }
    }
}

async fn retention_run(
    store: &crate::store::Store,
    settings: &Settings,
    clock: &Clock,
    dry_run: bool,
) -> anyhow::Result<()> {
    let report = crate::app::retention::run_retention(
        store,
        settings.retention_policy(),
        &settings.email.outbox_dir,
        clock.now(),
        dry_run,
    )
    .await?;
    let verb = if dry_run { "seriam" } else { "foram" };
    println!(
        "Retenção{}: {} pedidos {verb} anonimizados, {} senhas da fila, {} tarefas com textos removidos, {} arquivos de e-mail apagados.",
        if dry_run {
            " (simulação, nada foi alterado)"
        } else {
            ""
        },
        report.requests,
        report.tickets,
        report.jobs,
        report.mail_files,
    );
    for protocol in &report.protocols {
        println!("{protocol}");
    }
    if (report.protocols.len() as u64) < report.requests {
        let more = report.requests - report.protocols.len() as u64;
        if dry_run {
            println!("… e mais {more}.");
        } else {
            println!("… e mais {more} (a trilha de auditoria tem todos).");
        }
    }
    Ok(())
}

async fn indicators(store: &crate::store::Store, command: IndicatorsCommand) -> anyhow::Result<()> {
    match command {
        IndicatorsCommand::Recount => {
            let recount = store.rebuild_indicators().await?;
            println!(
                "Indicadores recontados: {} pedidos, {} linhas por dia e zona, {} por mês, zona e espera.",
                recount.requests, recount.days, recount.months
            );
            Ok(())
        }
        IndicatorsCommand::Check => {
            let (stored, recounted) = store.indicator_rollups().await?;
            let (differ, waits_differ) = stored.differences(&recounted);
            if differ == 0 && waits_differ == 0 {
                println!(
                    "Indicadores conferidos: {} linhas por dia e zona e {} por mês, zona e espera, iguais à recontagem.",
                    stored.days.len(),
                    stored.waits.len()
                );
                Ok(())
            } else {
                bail!(
                    "os totais guardados diferem da recontagem em {differ} dias e zonas e {waits_differ} meses, zonas e esperas; `contato indicators recount` os refaz"
                )
            }
        }
    }
}

/// An account as given on the command line.
struct NewAccount<'a> {
    email: &'a str,
    name: &'a str,
    role: Role,
    zones: Vec<i32>,
    interpreter: bool,
}

async fn add_staff(
    settings: &Settings,
    clock: &Clock,
    account: NewAccount<'_>,
) -> anyhow::Result<()> {
    let NewAccount {
        email,
        name,
        role,
        zones,
        interpreter,
    } = account;
    let email = Email::parse(email).map_err(|error| anyhow::anyhow!("--email: {error}"))?;
    let name = PersonName::parse(name).map_err(|error| anyhow::anyhow!("--name: {error}"))?;
    let zones: Vec<i64> = zones.into_iter().map(i64::from).collect();
    let zones = account_zones(&zones).map_err(|unknown| {
        let unknown: Vec<String> = unknown.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("--zone: {}", unknown.join(" "))
    })?;
    let assignment =
        Assignment::new(role, zones).map_err(|error| anyhow::anyhow!("--zone: {error}"))?;
    let password =
        Password::parse(read_password()?).map_err(|error| anyhow::anyhow!("senha: {error}"))?;
    let password_hash =
        tokio::task::spawn_blocking(move || passwords::hash_password(password.expose()))
            .await
            .context("the password hashing task failed")??;
    let store = startup::open_store(settings).await?;
    startup::load_reference_data(&store, settings, clock.now()).await?;
    let new = NewStaff {
        email,
        name,
        assignment,
        password_hash,
        interpreter,
    };
    let created = match store.create_staff(&new, clock.now()).await {
        Ok(created) => created,
        Err(error) => match AppError::from(error) {
            AppError::Invalid(errors) => bail!("{}", flag_messages(&errors)),
            other => return Err(other.into()),
        },
    };
    store.close().await?;
    let zones: Vec<String> = created.zones.iter().map(i32::to_string).collect();
    println!(
        "Conta criada: #{} {} ({}){}{}",
        created.id,
        created.email,
        created.role.as_str(),
        if zones.is_empty() {
            String::new()
        } else {
            format!(", zonas {}", zones.join(", "))
        },
        if created.interpreter {
            ", intérprete de Libras"
        } else {
            ""
        }
    );
    Ok(())
}

/// From a pipe (scripts) the first line is the password; at a terminal it is asked for
/// without echo.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Senha: ").context("failed to read the password");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("failed to read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn read(file: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("failed to read {}", file.display()))
}

/// Field problems as the command's flags: `--email: …`, `--zone: …`.
fn flag_messages(errors: &FieldErrors) -> String {
    let messages: Vec<String> = errors
        .fields()
        .flat_map(|field| {
            let flag = if field == "zones" { "zone" } else { field };
            errors
                .get(field)
                .unwrap_or_default()
                .iter()
                .map(move |message| format!("--{flag}: {message}"))
        })
        .collect();
    messages.join("\n")
}
