//! The canonical data model (`datasets/README.md`, `docs/spec/data-model.md` v1) as code: every
//! table, column, accepted value, key and rule. This is the one place the engine learns
//! what a valid input is; ingestion, validation, the generator and the docs all read it.

use crate::model::schema::col::{opt, req, with};
use crate::model::schema::{Check, ColType::*, Column, ForeignKey, Rule::*, Table};

/// Lifecycle stages of a contact.
pub(crate) const LIFECYCLE: &[&str] = &["lead", "prospect", "customer", "churned"];
/// Sources of leads and opportunities.
pub(crate) const SOURCES: &[&str] = &[
    "social", "web", "email", "event", "referral", "outbound", "partner", "other",
];
/// Opportunity stages.
pub(crate) const OPP_STAGES: &[&str] = &["open", "won", "lost"];
/// Social networks.
pub(crate) const NETWORKS: &[&str] = &[
    "x",
    "facebook",
    "instagram",
    "linkedin",
    "youtube",
    "tiktok",
    "forum",
    "blog",
    "community",
    "other",
];
/// Sentiment labels.
pub(crate) const SENTIMENTS: &[&str] = &["positive", "neutral", "negative"];
/// Intent labels of a mention.
pub(crate) const INTENTS: &[&str] = &[
    "question",
    "complaint",
    "praise",
    "purchase_intent",
    "idea",
    "other",
];
/// How a social handle was linked to a contact.
pub(crate) const MATCH_METHODS: &[&str] = &["email", "loyalty", "login", "manual", "fuzzy"];
/// Teams that answer mentions.
pub(crate) const TEAMS: &[&str] = &["marketing", "sales", "support", "product", "other"];
/// Outcomes of a response.
pub(crate) const OUTCOMES: &[&str] = &[
    "answered",
    "ticket_created",
    "lead_created",
    "escalated",
    "none",
];
/// Event formats.
pub(crate) const EVENT_FORMATS: &[&str] = &["physical", "virtual", "hybrid"];
/// Attendance of an event participation.
pub(crate) const ATTENDED: &[&str] = &["onsite", "online", "no_show"];
/// Support channels (tickets and channel costs).
pub(crate) const TICKET_CHANNELS: &[&str] = &[
    "phone",
    "ivr",
    "email",
    "fax",
    "web_form",
    "chat",
    "social",
    "community",
];
/// Ticket priorities.
pub(crate) const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
/// Who answered a community thread.
pub(crate) const ANSWERED_BY: &[&str] = &["peer", "employee", "none"];
/// Sources of ideas.
pub(crate) const IDEA_SOURCES: &[&str] = &["community", "social", "support", "employee", "partner"];
/// Idea statuses.
pub(crate) const IDEA_STATUSES: &[&str] = &[
    "submitted",
    "under_review",
    "accepted",
    "implemented",
    "rejected",
];
/// Departments of employees.
pub(crate) const DEPARTMENTS: &[&str] = &[
    "marketing",
    "sales",
    "support",
    "product",
    "rnd",
    "operations",
    "partner",
    "other",
];
/// Kinds of customer case a collaboration refers to.
pub(crate) const CASE_TYPES: &[&str] = &["ticket", "opportunity", "idea", "mention"];
/// Cost categories.
pub(crate) const COST_CATEGORIES: &[&str] = &[
    "staff",
    "technology",
    "media",
    "agency",
    "content",
    "events",
    "other",
];
/// Experiment metrics.
pub(crate) const EXPERIMENT_METRICS: &[&str] = &["conversion", "revenue", "churn"];
/// Experiment arms.
pub(crate) const ARMS: &[&str] = &["treatment", "control"];
/// Where a launch went live first (`launches.scope_dimension`): a column of the contact
/// (segment, industry, country) or the channel of the outcome.
pub(crate) const SCOPE_DIMENSIONS: &[&str] = &["segment", "industry", "country", "channel"];
/// Survey respondent types.
pub(crate) const RESPONDENT_TYPES: &[&str] = &["customer", "business"];
/// Reasons to engage with a brand online (IBM IBV 2011).
pub(crate) const REASONS: &[&str] = &[
    "discounts",
    "purchase",
    "reviews",
    "general_info",
    "new_products",
    "exclusive_info",
    "submit_opinion",
    "customer_service",
    "submit_ideas",
    "events",
    "feel_connected",
    "community",
];
/// Maturity dimensions.
pub(crate) const DIMENSIONS: &[&str] = &[
    "culture",
    "organization",
    "customer_involvement",
    "technology",
];
/// The 18 Altimeter use-case ids.
pub(crate) const USE_CASES: &[&str] = &[
    "UC01", "UC02", "UC03", "UC04", "UC05", "UC06", "UC07", "UC08", "UC09", "UC10", "UC11", "UC12",
    "UC13", "UC14", "UC15", "UC16", "UC17", "UC18",
];

const fn fk(column: &'static str, table: &'static str, ref_column: &'static str) -> ForeignKey {
    ForeignKey {
        column,
        table,
        ref_column,
    }
}

/// A collaboration's `case_id` must exist in the table its `case_type` names.
const fn case_check(table: &'static str, on: &'static str, violation: &'static str) -> Check {
    Check {
        column: "case_id",
        violation,
        join: Some((table, on)),
        reason: "case_id not found in the table its case_type names",
        fix: "export the referenced case too, or correct case_type",
    }
}

const END_AFTER_START: Check = Check {
    column: "end_date",
    violation: "t.end_date < t.start_date",
    join: None,
    reason: "end_date is before start_date",
    fix: "swap the two dates or correct the export",
};

const MONEY: crate::model::schema::Rule = NonNegative;
const COUNT: crate::model::schema::Rule = NonNegative;
const COUNTRY: crate::model::schema::Rule = Pattern(
    "^[A-Z]{2}$",
    "an ISO 3166-1 alpha-2 code in capitals, e.g. IT",
);

const CONTACTS: &[Column] = &[
    req("contact_id", Str, "person known to the CRM (primary key)"),
    opt(
        "account_id",
        Str,
        "B2B company of the contact; empty for consumers",
    ),
    req("created_at", Timestamp, "when the contact entered the CRM"),
    req("segment", Str, "free text, e.g. consumer, smb, enterprise"),
    opt("industry", Str, "industry of the contact or its company"),
    with(opt("country", Str, "ISO 3166-1 alpha-2"), COUNTRY),
    req(
        "lifecycle_stage",
        Enum(LIFECYCLE),
        "lead, prospect, customer or churned",
    ),
    opt("churned_at", Timestamp, "when the contact churned"),
    req("is_advocate", Bool, "enrolled in an advocacy/VIP programme"),
];

const ACCOUNTS: &[Column] = &[
    req("account_id", Str, "B2B company (primary key)"),
    req("name", Str, "company name"),
    opt("industry", Str, "industry"),
    opt("segment", Str, "segment, e.g. smb, enterprise"),
    with(opt("country", Str, "ISO 3166-1 alpha-2"), COUNTRY),
];

const OPPORTUNITIES: &[Column] = &[
    req("opportunity_id", Str, "CRM opportunity (primary key)"),
    req("contact_id", Str, "the contact the deal is with"),
    req("created_at", Timestamp, "when the opportunity was opened"),
    req("source", Enum(SOURCES), "where the opportunity came from"),
    opt("lead_id", Str, "the lead it was converted from"),
    req("stage", Enum(OPP_STAGES), "open, won or lost"),
    with(
        req("amount", Float, "expected or closed value (currency)"),
        MONEY,
    ),
    opt(
        "closed_at",
        Timestamp,
        "when it was won or lost; required then",
    ),
];

const LEADS: &[Column] = &[
    req("lead_id", Str, "lead (primary key)"),
    req("contact_id", Str, "the contact behind the lead"),
    req("created_at", Timestamp, "when the lead was captured"),
    req("source", Enum(SOURCES), "where the lead came from"),
    opt(
        "source_mention_id",
        Str,
        "the social post the lead was captured from",
    ),
    opt("first_contacted_at", Timestamp, "first sales touch"),
    opt("campaign_id", Str, "campaign that produced the lead"),
];

const ORDERS: &[Column] = &[
    req("order_id", Str, "order (primary key)"),
    req("contact_id", Str, "buyer"),
    req("ordered_at", Timestamp, "when the order was placed"),
    with(req("revenue", Float, "order revenue (currency)"), MONEY),
    opt(
        "margin",
        Float,
        "gross margin (currency); empty = default_margin_rate x revenue",
    ),
    opt("opportunity_id", Str, "the B2B deal the order closes"),
];

const SOCIAL_MENTIONS: &[Column] = &[
    req("mention_id", Str, "post (primary key)"),
    req("network", Enum(NETWORKS), "social network"),
    req("author_handle", Str, "author's handle on the network"),
    req("posted_at", Timestamp, "when it was posted"),
    req(
        "brand",
        Str,
        "brand talked about (own brand: config `brand`)",
    ),
    req(
        "is_brand_post",
        Bool,
        "posted by one of the brand's own accounts",
    ),
    req(
        "sentiment",
        Enum(SENTIMENTS),
        "positive, neutral or negative",
    ),
    with(
        opt("sentiment_score", Float, "sentiment in [-1, 1]"),
        Range(-1.0, 1.0),
    ),
    req("intent", Enum(INTENTS), "what the author wants"),
    opt("topic", Str, "topic label from the listening tool"),
    with(req("reach", Int, "author's followers when posting"), COUNT),
    with(req("likes", Int, "likes"), COUNT),
    with(req("shares", Int, "shares"), COUNT),
    with(req("comments", Int, "comments"), COUNT),
    opt("campaign_id", Str, "campaign the post is tagged with"),
    opt("event_id", Str, "event the post is tagged with"),
];

const SOCIAL_IDENTITIES: &[Column] = &[
    req("network", Enum(NETWORKS), "social network"),
    req("author_handle", Str, "handle on that network"),
    req("contact_id", Str, "the CRM contact behind the handle"),
    req("match_method", Enum(MATCH_METHODS), "how the link was made"),
    req("matched_at", Timestamp, "when the link was made"),
];

const SOCIAL_RESPONSES: &[Column] = &[
    req("response_id", Str, "reply (primary key)"),
    req("mention_id", Str, "the mention answered"),
    req(
        "responded_at",
        Timestamp,
        "when the brand replied (not before the mention)",
    ),
    req("team", Enum(TEAMS), "team that replied"),
    opt("employee_id", Str, "employee who replied"),
    req("outcome", Enum(OUTCOMES), "what the reply led to"),
];

const CAMPAIGNS: &[Column] = &[
    req("campaign_id", Str, "campaign (primary key)"),
    req("name", Str, "campaign name"),
    opt(
        "use_case",
        Enum(USE_CASES),
        "use case UC01..UC18 the campaign serves",
    ),
    req("channel", Str, "main channel"),
    req("start_date", Date, "first day"),
    req("end_date", Date, "last day (not before start_date)"),
    with(opt("budget", Float, "budget (currency)"), MONEY),
];

const TOUCHPOINTS: &[Column] = &[
    req("touchpoint_id", Str, "touch (primary key)"),
    req("contact_id", Str, "contact touched"),
    req("occurred_at", Timestamp, "when"),
    req(
        "channel",
        Str,
        "e.g. social_organic, social_paid, community, email, search, display, event, referral, direct, sales_call",
    ),
    opt("campaign_id", Str, "campaign of the touch"),
    opt(
        "use_case",
        Enum(USE_CASES),
        "use case; empty = the campaign's",
    ),
    with(
        opt("cost", Float, "media cost of the touch (currency)"),
        MONEY,
    ),
];

const EVENTS: &[Column] = &[
    req("event_id", Str, "event (primary key)"),
    req("name", Str, "event name"),
    req("format", Enum(EVENT_FORMATS), "physical, virtual or hybrid"),
    req("start_date", Date, "first day"),
    req("end_date", Date, "last day"),
    with(req("cost", Float, "total cost (currency)"), MONEY),
    with(req("registrations", Int, "registrations"), COUNT),
    with(req("attendees_onsite", Int, "attendees on site"), COUNT),
    with(req("attendees_online", Int, "attendees online"), COUNT),
];

const EVENT_PARTICIPATIONS: &[Column] = &[
    req("event_id", Str, "event"),
    req("contact_id", Str, "participant"),
    req("registered_at", Timestamp, "registration time"),
    req("attended", Enum(ATTENDED), "onsite, online or no_show"),
];

const TICKETS: &[Column] = &[
    req("ticket_id", Str, "support ticket (primary key)"),
    opt("contact_id", Str, "customer, when known"),
    req("channel", Enum(TICKET_CHANNELS), "contact channel"),
    req("opened_at", Timestamp, "when opened"),
    opt(
        "first_response_at",
        Timestamp,
        "first answer; empty = not yet answered",
    ),
    opt("resolved_at", Timestamp, "when resolved"),
    opt("topic", Str, "topic"),
    req("priority", Enum(PRIORITIES), "priority"),
    with(opt("csat", Int, "satisfaction 1-5"), Range(1.0, 5.0)),
    req("escalated", Bool, "escalated to a higher level"),
    opt("source_mention_id", Str, "the social post that opened it"),
    with(opt("handle_minutes", Float, "agent minutes"), NonNegative),
];

const CHANNEL_COSTS: &[Column] = &[
    req("channel", Enum(TICKET_CHANNELS), "support channel"),
    req(
        "period_start",
        Date,
        "applies from this date until the next row",
    ),
    with(
        req(
            "cost_per_contact",
            Float,
            "fully loaded cost per handled contact (currency)",
        ),
        MONEY,
    ),
];

const COMMUNITY_THREADS: &[Column] = &[
    req("thread_id", Str, "community question (primary key)"),
    opt("asker_contact_id", Str, "who asked, when known"),
    req("created_at", Timestamp, "when asked"),
    opt("topic", Str, "topic"),
    opt("first_answer_at", Timestamp, "first answer"),
    req(
        "first_answer_by",
        Enum(ANSWERED_BY),
        "peer, employee or none",
    ),
    req(
        "accepted_answer_by",
        Enum(ANSWERED_BY),
        "peer, employee or none",
    ),
    with(req("views", Int, "views"), COUNT),
];

const COMMUNITY_ANSWERS: &[Column] = &[
    req("answer_id", Str, "answer (primary key)"),
    req("thread_id", Str, "thread answered"),
    opt("author_contact_id", Str, "answering customer"),
    opt("author_employee_id", Str, "answering employee"),
    req("answered_at", Timestamp, "when"),
    req("is_accepted", Bool, "the accepted answer"),
];

const IDEAS: &[Column] = &[
    req("idea_id", Str, "idea (primary key)"),
    opt("submitted_by_contact_id", Str, "customer who proposed it"),
    opt("submitted_by_employee_id", Str, "employee who proposed it"),
    req("submitted_at", Timestamp, "when proposed"),
    req("source", Enum(IDEA_SOURCES), "where it came from"),
    opt("topic", Str, "topic"),
    with(req("votes", Int, "votes"), COUNT),
    req("status", Enum(IDEA_STATUSES), "status"),
    opt(
        "implemented_at",
        Timestamp,
        "when implemented; required then",
    ),
    opt(
        "realized_value",
        Float,
        "measured value of an implemented idea (currency)",
    ),
];

const EMPLOYEES: &[Column] = &[
    req("employee_id", Str, "employee (primary key)"),
    req(
        "department",
        Enum(DEPARTMENTS),
        "department; partner = suppliers, resellers, agencies",
    ),
    opt("joined_at", Date, "joining date"),
];

const COLLABORATIONS: &[Column] = &[
    req(
        "case_type",
        Enum(CASE_TYPES),
        "ticket, opportunity, idea or mention",
    ),
    req("case_id", Str, "id of the case in its table"),
    req("employee_id", Str, "contributor"),
    req("contributed_at", Timestamp, "when"),
];

const NPS_RESPONSES: &[Column] = &[
    req("contact_id", Str, "respondent"),
    req("responded_at", Timestamp, "when"),
    with(req("score", Int, "0-10"), Range(0.0, 10.0)),
    opt("touchpoint", Str, "where the survey was asked"),
];

const COSTS: &[Column] = &[
    req("cost_id", Str, "cost line (primary key)"),
    req("period_start", Date, "first day covered"),
    req("period_end", Date, "last day covered (inclusive)"),
    opt("use_case", Enum(USE_CASES), "use case; empty = shared cost"),
    req("category", Enum(COST_CATEGORIES), "cost category"),
    with(req("amount", Float, "amount (currency)"), MONEY),
];

const EXPERIMENTS: &[Column] = &[
    req("experiment_id", Str, "holdout test (primary key)"),
    req("use_case", Enum(USE_CASES), "use case tested"),
    req("start_date", Date, "first day"),
    req("end_date", Date, "last day"),
    req(
        "metric",
        Enum(EXPERIMENT_METRICS),
        "conversion, revenue or churn",
    ),
    opt(
        "treatment_share",
        Float,
        "designed share of the assigned contacts in treatment, e.g. 0.9 for a 10 % holdout; empty = 0.5",
    ),
];

const EXPERIMENT_ASSIGNMENTS: &[Column] = &[
    req("experiment_id", Str, "experiment"),
    req("contact_id", Str, "assigned contact"),
    req("arm", Enum(ARMS), "treatment or control"),
    req("assigned_at", Timestamp, "when"),
];

const LAUNCHES: &[Column] = &[
    req("launch_id", Str, "launch (primary key)"),
    req("use_case", Enum(USE_CASES), "use case launched"),
    req("launched_on", Date, "first day it was live"),
    opt(
        "scope_dimension",
        Enum(SCOPE_DIMENSIONS),
        "where it went live first: segment, industry, country or channel; empty for everywhere",
    ),
    opt(
        "scope_value",
        Str,
        "the segment, industry, country or channel where it went live, e.g. IT",
    ),
    opt(
        "ended_on",
        Date,
        "last day it was live; empty while it runs",
    ),
    opt("description", Str, "what was launched, in words"),
];

const SURVEY_RESPONSES: &[Column] = &[
    req("respondent_id", Str, "respondent"),
    req(
        "respondent_type",
        Enum(RESPONDENT_TYPES),
        "customer or business",
    ),
    opt("segment", Str, "segment"),
    opt("industry", Str, "industry"),
    with(opt("country", Str, "ISO 3166-1 alpha-2"), COUNTRY),
    req(
        "reason",
        Enum(REASONS),
        "reason to engage with brands online",
    ),
    req("selected", Bool, "the respondent selected this reason"),
];

const MATURITY_SELF_ASSESSMENT: &[Column] = &[
    req("respondent_id", Str, "respondent"),
    req("dimension", Enum(DIMENSIONS), "maturity dimension"),
    with(
        req("stage", Int, "self-assessed stage 1-5"),
        Range(1.0, 5.0),
    ),
];

/// Every canonical table, parents before children (foreign keys point backwards).
pub const TABLES: &[Table] = &[
    Table {
        name: "accounts",
        doc: "B2B companies (optional).",
        columns: ACCOUNTS,
        primary_key: &["account_id"],
        foreign_keys: &[],
        checks: &[],
        time_column: None,
    },
    Table {
        name: "contacts",
        doc: "One row per person known to the CRM.",
        columns: CONTACTS,
        primary_key: &["contact_id"],
        foreign_keys: &[fk("account_id", "accounts", "account_id")],
        checks: &[],
        time_column: Some("created_at"),
    },
    Table {
        name: "employees",
        doc: "People who work in the company's tools, by department.",
        columns: EMPLOYEES,
        primary_key: &["employee_id"],
        foreign_keys: &[],
        checks: &[],
        time_column: None,
    },
    Table {
        name: "campaigns",
        doc: "Marketing campaigns.",
        columns: CAMPAIGNS,
        primary_key: &["campaign_id"],
        foreign_keys: &[],
        checks: &[END_AFTER_START],
        time_column: None,
    },
    Table {
        name: "events",
        doc: "Conferences, webinars, meetups.",
        columns: EVENTS,
        primary_key: &["event_id"],
        foreign_keys: &[],
        checks: &[END_AFTER_START],
        time_column: None,
    },
    Table {
        name: "social_mentions",
        doc: "Every post about the brand or a tracked competitor, and the brand's own posts.",
        columns: SOCIAL_MENTIONS,
        primary_key: &["mention_id"],
        foreign_keys: &[
            fk("campaign_id", "campaigns", "campaign_id"),
            fk("event_id", "events", "event_id"),
        ],
        checks: &[],
        time_column: Some("posted_at"),
    },
    Table {
        name: "social_identities",
        doc: "Mapping: social handles linked to CRM contacts.",
        columns: SOCIAL_IDENTITIES,
        primary_key: &["network", "author_handle"],
        foreign_keys: &[fk("contact_id", "contacts", "contact_id")],
        checks: &[],
        time_column: None,
    },
    Table {
        name: "social_responses",
        doc: "Management: the brand's replies to mentions.",
        columns: SOCIAL_RESPONSES,
        primary_key: &["response_id"],
        foreign_keys: &[
            fk("mention_id", "social_mentions", "mention_id"),
            fk("employee_id", "employees", "employee_id"),
        ],
        checks: &[Check {
            column: "responded_at",
            violation: "t.responded_at < r.posted_at",
            join: Some(("social_mentions", "t.mention_id = r.mention_id")),
            reason: "responded_at is before the mention's posted_at",
            fix: "check the time zones of both exports (timestamps must be UTC)",
        }],
        time_column: Some("responded_at"),
    },
    Table {
        name: "leads",
        doc: "Sales leads.",
        columns: LEADS,
        primary_key: &["lead_id"],
        foreign_keys: &[
            fk("contact_id", "contacts", "contact_id"),
            fk("source_mention_id", "social_mentions", "mention_id"),
            fk("campaign_id", "campaigns", "campaign_id"),
        ],
        checks: &[],
        time_column: Some("created_at"),
    },
    Table {
        name: "opportunities",
        doc: "CRM pipeline.",
        columns: OPPORTUNITIES,
        primary_key: &["opportunity_id"],
        foreign_keys: &[
            fk("contact_id", "contacts", "contact_id"),
            fk("lead_id", "leads", "lead_id"),
        ],
        checks: &[Check {
            column: "closed_at",
            violation: "t.stage IN ('won', 'lost') AND t.closed_at IS NULL",
            join: None,
            reason: "closed_at is empty but the stage is won or lost",
            fix: "export the close date of closed opportunities",
        }],
        time_column: Some("created_at"),
    },
    Table {
        name: "orders",
        doc: "Revenue events (B2C conversions; B2B closed deals may also appear).",
        columns: ORDERS,
        primary_key: &["order_id"],
        foreign_keys: &[
            fk("contact_id", "contacts", "contact_id"),
            fk("opportunity_id", "opportunities", "opportunity_id"),
        ],
        checks: &[],
        time_column: Some("ordered_at"),
    },
    Table {
        name: "touchpoints",
        doc: "Marketing and sales touches used for attribution.",
        columns: TOUCHPOINTS,
        primary_key: &["touchpoint_id"],
        foreign_keys: &[
            fk("contact_id", "contacts", "contact_id"),
            fk("campaign_id", "campaigns", "campaign_id"),
        ],
        checks: &[],
        time_column: Some("occurred_at"),
    },
    Table {
        name: "event_participations",
        doc: "Who registered for and attended which event (optional).",
        columns: EVENT_PARTICIPATIONS,
        primary_key: &["event_id", "contact_id"],
        foreign_keys: &[
            fk("event_id", "events", "event_id"),
            fk("contact_id", "contacts", "contact_id"),
        ],
        checks: &[],
        time_column: Some("registered_at"),
    },
    Table {
        name: "tickets",
        doc: "Support tickets on every channel.",
        columns: TICKETS,
        primary_key: &["ticket_id"],
        foreign_keys: &[
            fk("contact_id", "contacts", "contact_id"),
            fk("source_mention_id", "social_mentions", "mention_id"),
        ],
        checks: &[],
        time_column: Some("opened_at"),
    },
    Table {
        name: "channel_costs",
        doc: "Fully loaded cost per handled contact, by channel and period.",
        columns: CHANNEL_COSTS,
        primary_key: &["channel", "period_start"],
        foreign_keys: &[],
        checks: &[],
        time_column: None,
    },
    Table {
        name: "community_threads",
        doc: "Peer-to-peer support questions.",
        columns: COMMUNITY_THREADS,
        primary_key: &["thread_id"],
        foreign_keys: &[fk("asker_contact_id", "contacts", "contact_id")],
        checks: &[],
        time_column: Some("created_at"),
    },
    Table {
        name: "community_answers",
        doc: "One row per community answer (optional).",
        columns: COMMUNITY_ANSWERS,
        primary_key: &["answer_id"],
        foreign_keys: &[
            fk("thread_id", "community_threads", "thread_id"),
            fk("author_contact_id", "contacts", "contact_id"),
            fk("author_employee_id", "employees", "employee_id"),
        ],
        checks: &[],
        time_column: Some("answered_at"),
    },
    Table {
        name: "ideas",
        doc: "Ideas proposed by customers, employees and partners.",
        columns: IDEAS,
        primary_key: &["idea_id"],
        foreign_keys: &[
            fk("submitted_by_contact_id", "contacts", "contact_id"),
            fk("submitted_by_employee_id", "employees", "employee_id"),
        ],
        checks: &[Check {
            column: "implemented_at",
            violation: "t.status = 'implemented' AND t.implemented_at IS NULL",
            join: None,
            reason: "implemented_at is empty but the status is implemented",
            fix: "export the implementation date of implemented ideas",
        }],
        time_column: Some("submitted_at"),
    },
    Table {
        name: "collaborations",
        doc: "Who worked on which customer case.",
        columns: COLLABORATIONS,
        primary_key: &[],
        foreign_keys: &[fk("employee_id", "employees", "employee_id")],
        checks: &[
            case_check(
                "tickets",
                "t.case_id = r.ticket_id",
                "t.case_type = 'ticket' AND r.ticket_id IS NULL",
            ),
            case_check(
                "opportunities",
                "t.case_id = r.opportunity_id",
                "t.case_type = 'opportunity' AND r.opportunity_id IS NULL",
            ),
            case_check(
                "ideas",
                "t.case_id = r.idea_id",
                "t.case_type = 'idea' AND r.idea_id IS NULL",
            ),
            case_check(
                "social_mentions",
                "t.case_id = r.mention_id",
                "t.case_type = 'mention' AND r.mention_id IS NULL",
            ),
        ],
        time_column: Some("contributed_at"),
    },
    Table {
        name: "nps_responses",
        doc: "Net Promoter Score answers.",
        columns: NPS_RESPONSES,
        primary_key: &[],
        foreign_keys: &[fk("contact_id", "contacts", "contact_id")],
        checks: &[],
        time_column: Some("responded_at"),
    },
    Table {
        name: "costs",
        doc: "What the Social CRM programme costs.",
        columns: COSTS,
        primary_key: &["cost_id"],
        foreign_keys: &[],
        checks: &[Check {
            column: "period_end",
            violation: "t.period_end < t.period_start",
            join: None,
            reason: "period_end is before period_start",
            fix: "swap the two dates or correct the export",
        }],
        time_column: None,
    },
    Table {
        name: "experiments",
        doc: "Holdout tests.",
        columns: EXPERIMENTS,
        primary_key: &["experiment_id"],
        foreign_keys: &[],
        checks: &[
            END_AFTER_START,
            Check {
                column: "treatment_share",
                violation: "t.treatment_share <= 0 OR t.treatment_share >= 1",
                join: None,
                reason: "treatment_share is not strictly between 0 and 1",
                fix: "give the designed share of contacts in treatment as a fraction, e.g. 0.5 or 0.9, or leave it empty for 50/50",
            },
        ],
        time_column: None,
    },
    Table {
        name: "experiment_assignments",
        doc: "Which contact is in which arm of an experiment.",
        columns: EXPERIMENT_ASSIGNMENTS,
        primary_key: &["experiment_id", "contact_id"],
        foreign_keys: &[
            fk("experiment_id", "experiments", "experiment_id"),
            fk("contact_id", "contacts", "contact_id"),
        ],
        checks: &[],
        time_column: None,
    },
    Table {
        name: "launches",
        doc: "When a use case went live, everywhere or in one scope first (for counterfactuals).",
        columns: LAUNCHES,
        primary_key: &["launch_id"],
        foreign_keys: &[],
        checks: &[
            Check {
                column: "ended_on",
                violation: "t.ended_on < t.launched_on",
                join: None,
                reason: "ended_on is before launched_on",
                fix: "swap the two dates or correct the export",
            },
            Check {
                column: "scope_value",
                violation: "(t.scope_dimension IS NULL) <> (t.scope_value IS NULL)",
                join: None,
                reason: "scope_dimension and scope_value must be given together",
                fix: "give both (e.g. country, IT) for a launch in one scope, or neither for a launch everywhere",
            },
        ],
        time_column: None,
    },
    Table {
        name: "survey_responses",
        doc: "Perception gap survey: one row per respondent and reason.",
        columns: SURVEY_RESPONSES,
        primary_key: &["respondent_id", "reason"],
        foreign_keys: &[],
        checks: &[],
        time_column: None,
    },
    Table {
        name: "maturity_self_assessment",
        doc: "Optional maturity questionnaire.",
        columns: MATURITY_SELF_ASSESSMENT,
        primary_key: &["respondent_id", "dimension"],
        foreign_keys: &[],
        checks: &[],
        time_column: None,
    },
];

/// The canonical table called `name`.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}
