//! CTEs read more than once are computed once (`misura::engine::shared_ctes`): same rows as
//! DataFusion's inlined plan, the right CTEs held as tables, the tables removed afterwards.

use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::SessionContext;
use misura::engine::shared_ctes::plan;

async fn ctx() -> SessionContext {
    let ctx = SessionContext::new();
    ctx.sql(
        "CREATE TABLE tickets AS VALUES \
         (1, 'c1', 'email', 10), (2, 'c1', 'phone', 12), (3, 'c2', 'email', 30), (4, 'c3', NULL, 31)",
    )
    .await
    .unwrap()
    .collect()
    .await
    .unwrap();
    ctx
}

async fn rows(df: datafusion::prelude::DataFrame) -> String {
    pretty_format_batches(&df.collect().await.unwrap())
        .unwrap()
        .to_string()
}

/// The query once inlined by DataFusion and once with shared CTEs: same rows; the shared
/// tables are the expected ones and are gone after `release`.
async fn same_rows(sql: &str, expected_tables: &[&str]) {
    let ctx = ctx().await;
    let inlined = rows(ctx.sql(sql).await.unwrap()).await;
    let planned = plan(&ctx, sql, "T1").await.unwrap();
    assert_eq!(
        planned.tables(),
        expected_tables,
        "materialised CTEs of {sql}"
    );
    for t in expected_tables {
        assert!(
            ctx.table_exist(*t).unwrap(),
            "{t} registered while the query runs"
        );
    }
    assert_eq!(rows(planned.df.clone()).await, inlined, "rows of {sql}");
    planned.release(&ctx).unwrap();
    for t in expected_tables {
        assert!(!ctx.table_exist(*t).unwrap(), "{t} removed after release");
    }
}

#[tokio::test]
async fn a_cte_read_twice_is_computed_once_with_the_same_rows() {
    same_rows(
        "WITH per AS (SELECT column2 AS contact, count(*) AS n FROM tickets GROUP BY column2) \
         SELECT 'max' AS k, max(n) AS v FROM per UNION ALL SELECT 'sum', sum(n) FROM per ORDER BY k",
        &["__cte_t1_0_per"],
    )
    .await;
}

#[tokio::test]
async fn a_cte_read_once_stays_inlined() {
    same_rows(
        "WITH per AS (SELECT column2 AS contact FROM tickets) SELECT count(*) AS n FROM per",
        &[],
    )
    .await;
}

#[tokio::test]
async fn reads_are_counted_through_the_ctes_that_run() {
    // The body reads `a` twice: `a` is held, and runs once, so `base` (read once by `a`) runs
    // once too. `unused` reads `base` but never runs: it does not count.
    same_rows(
        "WITH base AS (SELECT column1 AS id, column3 AS channel FROM tickets), \
         unused AS (SELECT count(*) AS x FROM base), \
         a AS (SELECT id, channel FROM base WHERE id > 1) \
         SELECT count(*) AS n FROM a UNION ALL SELECT count(channel) FROM a ORDER BY n",
        &["__cte_t1_2_a"],
    )
    .await;
    // `base` read by two CTEs that run once each runs twice: held.
    same_rows(
        "WITH base AS (SELECT column1 AS id, column3 AS channel FROM tickets), \
         a AS (SELECT count(*) AS n FROM base), \
         b AS (SELECT count(channel) AS n FROM base) \
         SELECT n FROM a UNION ALL SELECT n FROM b ORDER BY n",
        &["__cte_t1_0_base"],
    )
    .await;
}

#[tokio::test]
async fn qualified_columns_of_an_unaliased_cte_still_resolve() {
    same_rows(
        "WITH per AS (SELECT column2 AS contact, count(*) AS n FROM tickets GROUP BY column2) \
         SELECT per.contact, per.n FROM per WHERE per.n = (SELECT max(per.n) FROM per) ORDER BY per.contact",
        &["__cte_t1_0_per"],
    )
    .await;
}

#[tokio::test]
async fn a_cte_named_like_its_source_table_does_not_replace_it() {
    let ctx = ctx().await;
    let sql = "WITH tickets AS (SELECT * FROM tickets WHERE column1 > 2) \
               SELECT count(*) AS n FROM tickets UNION ALL SELECT count(*) FROM tickets";
    let inlined = rows(ctx.sql(sql).await.unwrap()).await;
    let planned = plan(&ctx, sql, "UC99").await.unwrap();
    assert_eq!(rows(planned.df.clone()).await, inlined);
    planned.release(&ctx).unwrap();
    let all = rows(ctx.sql("SELECT count(*) AS n FROM tickets").await.unwrap()).await;
    assert!(all.contains("| 4 |"), "the base table is untouched: {all}");
}

#[tokio::test]
async fn an_error_in_the_query_leaves_no_table_behind() {
    let ctx = ctx().await;
    let sql = "WITH per AS (SELECT column2 AS contact FROM tickets) \
               SELECT nope FROM per UNION ALL SELECT contact FROM per";
    let err = plan(&ctx, sql, "bad").await.err().expect("unknown column");
    assert!(err.to_string().contains("nope"), "{err}");
    assert!(!ctx.table_exist("__cte_bad_0_per").unwrap());
}

#[tokio::test]
async fn repeated_column_names_and_table_functions_behave_as_inlined() {
    // a join's two `column1` come out as DataFusion names them when it inlines the CTE
    same_rows(
        "WITH j AS (SELECT a.column1, b.column1 FROM tickets a JOIN tickets b ON a.column1 = b.column1) \
         SELECT count(*) AS n FROM j UNION ALL SELECT count(*) FROM j",
        &["__cte_t1_0_j"],
    )
    .await;
    // `range(3)` calls the table function, not the CTE named `range`: read once, inlined
    same_rows(
        "WITH range AS (SELECT 1 AS value) \
         SELECT value FROM range UNION ALL SELECT value FROM range(3) ORDER BY value",
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_cte_the_memory_budget_cannot_hold_is_inlined() {
    use datafusion::execution::runtime_env::RuntimeEnvBuilder;
    use datafusion::prelude::SessionConfig;
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(64 * 1024, 1.0)
        .build_arc()
        .unwrap();
    let ctx = SessionContext::new_with_config_rt(SessionConfig::new(), runtime);
    // 40,000 rows of one Int64: ~320 KB, more than the 64 KB pool
    let sql = "WITH c AS (SELECT x FROM (SELECT unnest(range(0, 40000)) AS x)) \
               SELECT count(*) AS n FROM c UNION ALL SELECT sum(x) FROM c ORDER BY n";
    let inlined = rows(ctx.sql(sql).await.unwrap()).await;
    let planned = plan(&ctx, sql, "t").await.unwrap();
    assert!(planned.tables().is_empty(), "{:?}", planned.tables());
    assert_eq!(rows(planned.df.clone()).await, inlined);
    assert!(inlined.contains("| 40000 "), "{inlined}");
    planned.release(&ctx).unwrap();
    // with room, it is held, and its memory is back in the pool after release
    let roomy = RuntimeEnvBuilder::new()
        .with_memory_limit(64 * 1024 * 1024, 1.0)
        .build_arc()
        .unwrap();
    let ctx = SessionContext::new_with_config_rt(SessionConfig::new(), roomy);
    let planned = plan(&ctx, sql, "t").await.unwrap();
    assert_eq!(planned.tables(), ["__cte_t_0_c"]);
    assert!(ctx.runtime_env().memory_pool.reserved() > 300_000);
    assert_eq!(rows(planned.df.clone()).await, inlined);
    planned.release(&ctx).unwrap();
    assert_eq!(ctx.runtime_env().memory_pool.reserved(), 0);
}
