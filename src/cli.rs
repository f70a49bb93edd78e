//! The command line as clap sees it. Doc comments here are the `--help`
//! text. Validation that clap cannot do (dates, values, paths) happens when
//! these raw options become a [`crate::config::Config`] or inside a command.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The heading of options every command takes, so a subcommand's `--help`
/// shows its own options first and apart.
const GLOBAL: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "tracker",
    version,
    about = "Track government pledges and whether they happen, in a local ledger.",
    long_about = "Track government pledges and whether they happen.\n\n\
        tracker keeps a local SQLite ledger of quantitative pledges (seeded with the \
        SASAC press briefing of 26 July 2024), the observations analysts record later, \
        and a documented status for every target.",
    after_help = "Examples:\n  \
        tracker list\n  \
        tracker record equipment-renewal '>800bn' --period 2024 --source \"SASAC, 2025-01-20\"\n  \
        tracker show equipment-renewal\n  \
        tracker report --csv -o status.csv --fail-on off-track,missed\n  \
        tracker --numbers chinese list\n\n\
        Defaults for --db, --by, --color and --numbers can live in a config file\n\
        (~/.config/tracker/config.toml, or $TRACKER_CONFIG) as db = \"PATH\", by = \"NAME\",\n\
        color = \"auto|always|never\", numbers = \"western|chinese\"."
)]
pub struct Cli {
    /// Ledger file, or a shared ledger's postgres://USER@HOST:PORT/DB URL
    /// [default: `db` in the config file, else the platform data folder,
    /// e.g. ~/.local/share/tracker/ledger.db]. A named ledger must exist
    /// (see `tracker init`). The value of TRACKER_DB is never shown here: it
    /// may hold a password.
    #[arg(
        long,
        global = true,
        env = "TRACKER_DB",
        hide_env_values = true,
        value_name = "PATH",
        help_heading = GLOBAL
    )]
    pub db: Option<PathBuf>,

    /// When to use colour: auto (stdout is a terminal and NO_COLOR is unset),
    /// always, never [default: `color` in the config file, else auto].
    #[arg(
        long,
        global = true,
        env = "TRACKER_COLOR",
        value_name = "WHEN",
        help_heading = GLOBAL
    )]
    pub color: Option<ColorChoice>,

    /// How tables write large numbers: western (3 tn, 800 bn) or chinese
    /// (3万亿, 8000亿) [default: `numbers` in the config file, else western].
    /// CSV and JSON always hold the plain number.
    #[arg(
        long,
        global = true,
        env = "TRACKER_NUMBERS",
        value_name = "STYLE",
        help_heading = GLOBAL
    )]
    pub numbers: Option<Numbers>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line. A global option's environment variable
    /// that is set but empty (`TRACKER_DB=` in a crontab) counts as unset,
    /// as it does for every other tool, instead of "a value is required".
    pub fn parse_args() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let mut command = Cli::command();
        for (arg, var) in [
            ("db", "TRACKER_DB"),
            ("color", "TRACKER_COLOR"),
            ("numbers", "TRACKER_NUMBERS"),
        ] {
            if std::env::var_os(var).is_some_and(|value| value.is_empty()) {
                command = command.mut_arg(arg, |a| a.env(None));
            }
        }
        let matches = command.get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Number style of tables and pages (see [`crate::numfmt::NumberStyle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Numbers {
    /// 3 tn, 800 bn, 250,000.
    Western,
    /// 3万亿, 8000亿, 25万.
    Chinese,
}

impl From<Numbers> for crate::numfmt::NumberStyle {
    fn from(numbers: Numbers) -> Self {
        match numbers {
            Numbers::Western => crate::numfmt::NumberStyle::Western,
            Numbers::Chinese => crate::numfmt::NumberStyle::Chinese,
        }
    }
}

/// Output formats of `list` and `report` (and what every renderer knows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

/// Output formats of `history`: the trail has no Markdown form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Table,
    Csv,
    Json,
}

/// Output formats of `export`: the whole ledger (JSON) or its entries (CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

/// An observation number as tracker prints it (`#14`) or bare (`14`).
pub fn observation_number(text: &str) -> Result<i64, String> {
    let digits = text.trim().strip_prefix('#').unwrap_or(text.trim());
    match digits.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "`{text}` is not an observation number; give the # that `record`, \
             `show` and `history` print, e.g. 14 or '#14'"
        )),
    }
}

/// `report` formats: the shared ones plus the HTML page (one
/// self-contained page, inline CSS and SVG charts, to publish).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    Markdown,
    Html,
}

/// How `report --format html` groups its overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// One table per source (briefing), with its Open SDG aggregate score.
    Source,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a ledger and seed it with the briefing's targets.
    #[command(after_help = "Examples:\n  \
        tracker init\n  \
        tracker --db team/ledger.db init\n\n\
        Running it on an existing ledger changes nothing and says so.")]
    Init,

    /// One line per target: latest value, target, progress and status.
    #[command(after_help = "Examples:\n  \
        tracker list\n  \
        tracker list --kind cumulative\n  \
        tracker list --status on-track,at-risk --format csv")]
    List(ListArgs),

    /// Everything about one target: definition, quote, source, status and history.
    #[command(after_help = "Example:\n  tracker show equipment-renewal")]
    Show(ShowArgs),

    /// Record an observation of a target, with its source.
    #[command(after_help = "Examples:\n  \
        tracker record equipment-renewal '>800bn' --period 2024 \\\n      \
        --source \"SASAC annual report 2024\"\n  \
        tracker record opbudget-st-share 83% --date 2024-12-31 \\\n      \
        --source \"MOF final accounts\" --url https://example.org/x\n  \
        tracker record sei-revenue '超10万亿' --period 2024 \\\n      \
        --source \"SASAC press release\"\n\n\
        VALUE: 1234.5, 1,234,567, 800bn, 0.8 tn, 3 trillion, 12k, 2.5m,\n\
        8000亿, 3万亿, 25万, 83%; optionally with a qualifier: >, >=, <, <=,\n\
        ~, about, more than, nearly, 超, 近, 约.\n\
        PERIOD: 2024, 2024-H1, 2024-Q3, 2024-07, 2024-07-26 (one day),\n\
        2024-01-01..2024-06-30.")]
    Record(RecordArgs),

    /// Status of every target, for people (table) and machines (CSV, JSON, Markdown).
    #[command(after_help = "Examples:\n  \
        tracker report\n  \
        tracker report --csv -o status.csv\n  \
        tracker report equipment-renewal --json --as-of 2025-02-01\n  \
        tracker report --csv --known-at 2025-03-01T00:00:00Z -o march.csv\n  \
        tracker report --csv -o status.csv --fail-on off-track,missed   # exit 3 if any\n  \
        tracker report -o status.html --group-by source   # a self-contained page to publish\n\n\
        Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input, 3 --fail-on matched, 4 ledger unusable.")]
    Report(ReportArgs),

    /// What the ledger learned between two times, and every status it moved.
    #[command(after_help = "Examples:\n  \
        tracker changes --since 2025-06-01\n  \
        tracker changes --since 2025-06-01T08:00:00Z --until 2025-06-30 --format csv\n  \
        tracker changes --since last --mark --format markdown -o changes.md --fail-on-change\n  \
        tracker changes --since last --mark --fail-on off-track,missed\n  \
        tracker changes --since last:nightly --mark nightly -o nightly.md   # one mark per job\n\n\
        --since/--until take an RFC 3339 time or a date (--since 2025-06-01: from the start of\n\
        that day; --until 2025-06-30: to its end). `--since last` starts where the previous\n\
        `changes --mark` run ended (the ledger's beginning if there was none); `--since\n\
        last:NAME` where the previous `--mark NAME` run ended, so two jobs with their own\n\
        names never move each other's mark.\n\
        Statuses are compared at the same --as-of (default today).\n\n\
        Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input, 3 --fail-on-change or\n\
        --fail-on matched (the output was written), 4 ledger unusable.")]
    Changes(ChangesArgs),

    /// Define targets: add one, import a target file, or amend a definition.
    #[command(
        subcommand,
        after_help = "Examples:\n  \
        tracker target import fixtures/sasac-2024-07-26.toml\n  \
        tracker target amend equipment-renewal --deadline 2029-12-31 --reason \"...\"\n  \
        tracker target add --help"
    )]
    Target(TargetCommand),

    /// Replace an observation with a corrected one (the original stays in the history).
    #[command(after_help = "Examples:\n  \
        tracker correct 12 '>850bn' --reason \"typo: the source says 850\"\n  \
        tracker correct 12 900bn --period 2024-H2 --source \"revised release\" --reason \"revised figure\"\n\n\
        Period, source, URL and note default to the corrected entry's.")]
    Correct(CorrectArgs),

    /// Withdraw an observation (it stays in the history, marked retracted).
    #[command(
        after_help = "Example:\n  tracker retract 12 --reason \"figure was for a different metric\""
    )]
    Retract(RetractArgs),

    /// The full trail: every entry, who recorded it, when, from which source, what it replaced and why.
    #[command(
        after_help = "Examples:\n  tracker history\n  tracker history equipment-renewal\n  tracker history --format csv"
    )]
    History(HistoryArgs),

    /// Load observations from a CSV file, or restore a JSON export (all or nothing).
    #[command(after_help = "Examples:\n  \
        tracker import observations.csv\n  \
        tracker import ledger-export.json\n\n\
        CSV columns (header required, order free): target_id, value, period or date, source,\n\
        and optionally url, note, recorded_by. Values and periods use the grammar of `record`.\n\
        Every row is checked first; any bad row and nothing is written. Rows already in the\n\
        ledger (same target, value, period and source) are skipped, so importing twice adds nothing.")]
    Import(ImportArgs),

    /// Write the whole ledger (targets with their definition history, every entry) to a file.
    #[command(after_help = "Examples:\n  \
        tracker export -o ledger-export.json\n  \
        tracker export --format csv -o observations.csv   # the entries, in the import layout")]
    Export(ExportArgs),

    /// Make a consistent copy of the ledger, even while others write to it.
    #[command(after_help = "Example:\n  tracker backup backups/ledger-$(date +%F).db")]
    Backup(BackupArgs),

    /// Check the ledger: SQLite integrity, foreign keys, schema version and the ledger's own rules.
    #[command(
        after_help = "Example:\n  tracker check && echo healthy\n\nExits 4 when a problem is found."
    )]
    Check,

    /// Draw a target's trajectory as SVG or PNG.
    #[command(after_help = "Examples:\n  \
        tracker chart equipment-renewal -o equipment.svg\n  \
        tracker chart opbudget-st-share -o share.png --as-of 2025-02-01\n\n\
        Drawn: the figures at their period end (for a cumulative target the running total),\n\
        the target and deadline, the expected linear path (cumulative) or the base (level),\n\
        and the status as `report` gives it. Markers: filled circle exact, open circle\n\
        more than / at least, open square less than / at most, diamond about / nearly.")]
    Chart(ChartArgs),

    /// Print a shell completion script.
    #[command(after_help = "Examples:\n  \
        tracker completions bash > ~/.local/share/bash-completion/completions/tracker\n  \
        tracker completions zsh > ~/.zfunc/_tracker\n  \
        tracker completions fish > ~/.config/fish/completions/tracker.fish")]
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff), or write every page into a folder.
    #[command(after_help = "Examples:\n  \
        tracker man --dir ~/.local/share/man/man1   # tracker.1, tracker-record.1, ...\n  \
        tracker man > tracker.1")]
    Man {
        /// Write tracker.1 and one page per subcommand (tracker-record.1,
        /// tracker-target-add.1, ...) into this existing folder.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct CorrectArgs {
    /// The observation to correct: the # shown by `record`, `show` and
    /// `history` (14 or '#14').
    #[arg(value_parser = observation_number, value_name = "OBSERVATION")]
    pub observation: i64,

    /// The corrected value, in the grammar of `record`.
    #[arg(allow_hyphen_values = true)]
    pub value: String,

    /// Why (required: every change says why).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    /// Day the value refers to [default: the corrected entry's period].
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "period")]
    pub date: Option<String>,

    /// Period the value covers [default: the corrected entry's period].
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,

    /// Source of the corrected figure [default: the corrected entry's].
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,

    /// Link to the source (http or https) [default: the corrected entry's].
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Free-text note on the corrected figure [default: the corrected entry's].
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// Who corrects it [default: $TRACKER_USER, else `by` in the config file, else the OS user].
    #[arg(long, value_name = "NAME", env = "TRACKER_USER")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct RetractArgs {
    /// The observation to withdraw: 14 or '#14'.
    #[arg(value_parser = observation_number, value_name = "OBSERVATION")]
    pub observation: i64,

    /// Why (required).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    /// Who retracts it [default: $TRACKER_USER, else `by` in the config file, else the OS user].
    #[arg(long, value_name = "NAME", env = "TRACKER_USER")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this target's trail (default: the whole ledger).
    pub id: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: HistoryFormat,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A CSV file of observations, or a JSON file written by `tracker export`.
    pub file: PathBuf,

    /// Who the imported rows are recorded by, when the file does not say
    /// [default: $TRACKER_USER, else `by` in the config file, else the OS user].
    #[arg(long, value_name = "NAME", env = "TRACKER_USER")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// json: the whole ledger, restorable with `tracker import`; csv: the
    /// current observations in the import layout [default: csv for a .csv
    /// file, else json].
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,

    /// Write to FILE atomically instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy (must not exist).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Target id.
    pub id: String,

    /// Output file: .svg or .png.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,

    /// Evaluate the status in the title as of this date [default: today, UTC].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only targets with one of these statuses (comma-separated): achieved, on-track, at-risk,
    /// off-track, moving-away, missed, awaiting-data, insufficient-data, no-data.
    #[arg(long, value_delimiter = ',', value_name = "STATUS")]
    pub status: Vec<String>,

    /// Only targets of this kind: cumulative, level, direction.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Evaluate as of this date (YYYY-MM-DD) [default: today, UTC].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Target id (see `tracker list`).
    pub id: String,

    /// Evaluate the status as of this date (YYYY-MM-DD) [default: today, UTC].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("when").required(true).multiple(false))]
pub struct RecordArgs {
    /// Target id (see `tracker list`).
    pub id: String,

    /// The value as the source states it, e.g. '>800bn', 83%, 3万亿.
    #[arg(allow_hyphen_values = true)]
    pub value: String,

    /// Day the value refers to (YYYY-MM-DD); this or --period is required.
    #[arg(long, value_name = "YYYY-MM-DD", group = "when")]
    pub date: Option<String>,

    /// Period the value covers: 2024, 2024-H1, 2024-Q3, 2024-07, 2024-01-01..2024-06-30.
    #[arg(long, value_name = "PERIOD", group = "when")]
    pub period: Option<String>,

    /// Where the number comes from (required: no anonymous numbers).
    #[arg(long, value_name = "TEXT")]
    pub source: String,

    /// Link to the source.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Free-text note (how the figure was read, caveats).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// Who records it [default: $TRACKER_USER, else `by` in the config file, else the OS user].
    #[arg(long, value_name = "NAME", env = "TRACKER_USER")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only these targets (default: all).
    pub ids: Vec<String>,

    /// Output format [default: from the -o extension, else table on a terminal, CSV otherwise].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,

    /// Shorthand for --format csv.
    #[arg(long, conflicts_with_all = ["format", "json"])]
    pub csv: bool,

    /// Shorthand for --format json.
    #[arg(long, conflicts_with_all = ["format", "csv"])]
    pub json: bool,

    /// Write to FILE atomically instead of stdout ('-' is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Evaluate as of this date (YYYY-MM-DD) [default: today, UTC].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    /// See the ledger as it stood at this time (RFC 3339, or a date meaning its end, UTC).
    #[arg(long, value_name = "TIME")]
    pub known_at: Option<String>,

    /// Only targets with one of these statuses (comma-separated): achieved, on-track, at-risk,
    /// off-track, moving-away, missed, awaiting-data, insufficient-data, no-data.
    #[arg(long, value_delimiter = ',', value_name = "STATUS")]
    pub status: Vec<String>,

    /// Exit with code 3 (after writing the report) if any reported target has one of these
    /// statuses (the words of --status), e.g. off-track,missed,awaiting-data.
    #[arg(long, value_delimiter = ',', value_name = "STATUS")]
    pub fail_on: Vec<String>,

    /// HTML only: group the overview by source, each group with its Open SDG aggregate score.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub group_by: Option<GroupBy>,
}

#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// Start (exclusive): an RFC 3339 time, a date (its start, UTC), `last` (where the
    /// previous `--mark` run ended) or `last:NAME` (where the previous `--mark NAME` run ended).
    #[arg(long, value_name = "TIME")]
    pub since: String,

    /// End (inclusive): an RFC 3339 time or a date (its end, UTC) [default: now].
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Evaluate both statuses as of this date (YYYY-MM-DD) [default: today, UTC].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    /// Output format [default: from the -o extension, else table on a terminal, CSV otherwise].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write to FILE atomically instead of stdout ('-' is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// After writing, remember --until in the ledger so the next `--since last` starts there.
    /// `--mark NAME` keeps a separate mark per job, read by `--since last:NAME`; a bare `--mark`
    /// moves the mark --since read (`last:NAME`: NAME), else the unnamed one.
    /// --until may not be later than now (the next run would skip what comes between).
    #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "")]
    pub mark: Option<String>,

    /// Exit with code 3 (after writing) if anything changed.
    #[arg(long)]
    pub fail_on_change: bool,

    /// Exit with code 3 (after writing) if a target newly entered one of these statuses.
    #[arg(long, value_delimiter = ',', value_name = "STATUS")]
    pub fail_on: Vec<String>,

    /// Who sets the mark [default: $TRACKER_USER, else `by` in the config file, else the OS user].
    #[arg(long, value_name = "NAME", env = "TRACKER_USER")]
    pub by: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TargetCommand {
    /// Import targets from a target file (TOML: a [source] and one [[target]] per pledge).
    #[command(
        after_help = "Example:\n  tracker target import fixtures/sasac-2024-07-26.toml\n\n\
        All or nothing: one bad target refuses the whole file. Importing the same file\n\
        twice changes nothing; an id that exists with a different definition is refused."
    )]
    Import {
        /// The target file.
        file: PathBuf,
    },

    /// Amend a target's definition; every earlier definition is kept.
    #[command(after_help = "Examples:\n  \
        tracker target amend equipment-renewal --deadline 2029-12-31 \\\n    \
        --reason \"SASAC clarified the window runs 2025-2029\"\n  \
        tracker target amend sei-revenue-share --base-period 2023 \\\n    \
        --reason \"measure progress from the 2023 share\"\n\n\
        Reports with --known-at use the definition in force then. A new window that would\n\
        cut through a recorded amount is refused (amounts are never split).")]
    Amend(Box<TargetAmendArgs>),

    /// Define one target from flags.
    #[command(after_help = "Example:\n  \
        tracker target add --id rd-intensity --title \"R&D intensity of central SOEs\" \\\n    \
        --kind level --metric \"R&D spending / revenue\" --unit % --direction up \\\n    \
        --target '>=2.5%' \\\n    \
        --deadline 2025-12-31 --quote \"...\" --speaker \"...\" --speaker-role \"...\" \\\n    \
        --statement-date 2024-07-26 --source-title \"...\" --interpretation \"...\"")]
    Add(Box<TargetAddArgs>),
}

#[derive(Debug, Args)]
pub struct TargetAddArgs {
    /// Stable id: lower-case letters, digits and '-'.
    #[arg(long)]
    pub id: String,
    /// Short title for people (at most 200 characters).
    #[arg(long)]
    pub title: String,
    /// cumulative, level or direction.
    #[arg(long)]
    pub kind: String,
    /// What is measured, in words.
    #[arg(long)]
    pub metric: String,
    /// Base unit of values: CNY, %, people, ...
    #[arg(long)]
    pub unit: String,
    /// Which way is good: up or down (required, as in a target file).
    #[arg(long)]
    pub direction: String,
    /// Comparator and value, e.g. '>3 trillion' (required for cumulative
    /// and level; omit for direction).
    #[arg(long, allow_hyphen_values = true)]
    pub target: Option<String>,
    /// First day of the window (required for cumulative).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub window_start: Option<String>,
    /// Last day of the window (required for cumulative), or the date a
    /// level must be reached by.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub deadline: Option<String>,
    /// Period of the base figure trends are measured from, e.g. 2023
    /// (default: the last figure on or before the pledge's start).
    #[arg(long, value_name = "PERIOD")]
    pub base_period: Option<String>,
    /// Natural ceiling, e.g. 100 for a share in %.
    #[arg(long)]
    pub limit: Option<String>,
    /// The metric is itself a growth rate (may be negative).
    #[arg(long)]
    pub rate: bool,
    /// monthly, quarterly, half-yearly or yearly.
    #[arg(long, default_value = "yearly")]
    pub cadence: String,
    /// Verbatim quote of the source.
    #[arg(long)]
    pub quote: String,
    /// Who said it, as the source names them.
    #[arg(long)]
    pub speaker: String,
    /// The speaker's role, as the source gives it.
    #[arg(long)]
    pub speaker_role: String,
    /// Date of the statement.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub statement_date: String,
    /// Title of the source (briefing, plan, report).
    #[arg(long)]
    pub source_title: String,
    /// Link to the source (http or https).
    #[arg(long)]
    pub source_url: Option<String>,
    /// How the source is read where it left a choice (write one wherever
    /// you had to choose) [default: "None given."].
    #[arg(long)]
    pub interpretation: Option<String>,
}

/// Fields of a definition that `target amend` may change; unset ones stay.
#[derive(Debug, Args)]
pub struct TargetAmendArgs {
    /// Target id.
    pub id: String,
    /// Why the definition changes (required).
    #[arg(long)]
    pub reason: String,
    /// New short title.
    #[arg(long)]
    pub title: Option<String>,
    /// New description of what is measured.
    #[arg(long)]
    pub metric: Option<String>,
    /// Which way is good: up or down.
    #[arg(long)]
    pub direction: Option<String>,
    /// Comparator and value, e.g. '>3 trillion'.
    #[arg(long, allow_hyphen_values = true)]
    pub target: Option<String>,
    /// First day of the window.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub window_start: Option<String>,
    /// Last day of the window, or the date a level must be reached by.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub deadline: Option<String>,
    /// Period of the base figure trends are measured from, e.g. 2023
    /// (default: the last figure on or before the pledge's start).
    #[arg(long, value_name = "PERIOD")]
    pub base_period: Option<String>,
    /// How often figures are expected: monthly, quarterly, half-yearly or yearly.
    #[arg(long)]
    pub cadence: Option<String>,
    /// How the source is now read, and why.
    #[arg(long)]
    pub interpretation: Option<String>,
}
