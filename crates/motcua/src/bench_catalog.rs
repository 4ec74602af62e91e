//! `motcua bench catalog` — public search over HTTP against a bare endpoint of the same server
//! (issue 4, item 9; method in BENCHMARKS.md).

use crate::bench_http::{Connection, scenario, serve};
use chrono::{NaiveDate, Utc};
use motcua_store::Store;
use motcua_store::catalog::{self, VersionInput};
use motcua_store::db::{SqliteSync, StoreOptions};
use motcua_store::events::Actor;
use std::time::Instant;

const ACTIONS: &[&str] = &[
    "Cấp",
    "Cấp lại",
    "Gia hạn",
    "Sửa đổi, bổ sung",
    "Đăng ký",
    "Thẩm định",
    "Công nhận",
    "Phê duyệt",
    "Thu hồi",
    "Điều chỉnh",
];
const OBJECTS: &[&str] = &[
    "giấy phép tiến hành công việc bức xạ",
    "giấy chứng nhận đăng ký hoạt động khoa học và công nghệ",
    "kết quả thực hiện nhiệm vụ khoa học và công nghệ",
    "chứng chỉ nhân viên bức xạ",
    "hợp đồng chuyển giao công nghệ",
    "văn bằng bảo hộ sáng chế",
    "giấy chứng nhận doanh nghiệp khoa học và công nghệ",
    "phương án sử dụng thiết bị X-quang chẩn đoán trong y tế",
    "chỉ dẫn địa lý cho đặc sản địa phương",
    "giấy chứng nhận đủ điều kiện hoạt động dịch vụ đánh giá sự phù hợp",
    "tổ chức khoa học và công nghệ có vốn nước ngoài",
    "kế hoạch ứng phó sự cố bức xạ hạt nhân cấp cơ sở",
    "mẫu phương tiện đo nhóm 2",
    "dấu định lượng trên nhãn hàng đóng gói sẵn",
    "quỹ phát triển khoa học và công nghệ của doanh nghiệp",
    "sáng kiến cải tiến kỹ thuật",
    "giải thưởng khoa học và công nghệ cấp tỉnh",
    "đề tài nghiên cứu ứng dụng tiến bộ kỹ thuật",
    "hoạt động chuyển giao công nghệ khuyến khích",
    "thông tin khoa học và công nghệ trong nước",
];
const SUBJECTS: &[&str] = &[
    "cho tổ chức",
    "cho cá nhân",
    "đối với doanh nghiệp nhỏ và vừa",
    "tại cấp tỉnh",
    "sử dụng ngân sách nhà nước",
    "trường hợp bị mất hoặc hư hỏng",
    "có yếu tố nước ngoài",
    "thuộc lĩnh vực nông nghiệp",
    "trong khu công nghiệp",
    "tại cơ sở y tế",
];
const PLACES: &[&str] = &["Đông Hà", "Quảng Trị", "Gio Linh", "Hải Lăng", "Cam Lộ"];
const FIELDS: &[&str] = &[
    "An toàn bức xạ và hạt nhân",
    "Hoạt động khoa học và công nghệ",
    "Sở hữu trí tuệ",
    "Tiêu chuẩn đo lường chất lượng",
    "Chuyển giao công nghệ",
];

/// The queries clients send, in turn: without diacritics, with a typo, a phrase, a broad word,
/// a filter and a second page — what citizens type.
const QUERIES: &[&str] = &[
    "/api/v1/procedures?q=cap+giay+phep+buc+xa",
    "/api/v1/procedures?q=dang+ky",
    "/api/v1/procedures?q=gia+han+giay+phap",
    "/api/v1/procedures?q=chung+chi+nhan+vien+buc+xa+gio+linh",
    "/api/v1/procedures?q=thu+hoi+van+bang+bao+ho+sang+che",
    "/api/v1/procedures?q=khoa+hoc+cong+nghe&page=2",
    "/api/v1/procedures?q=tham+dinh+hop+dong+chuyen+giao&field=Chuy%E1%BB%83n+giao+c%C3%B4ng+ngh%E1%BB%87",
    "/api/v1/procedures?q=c%E1%BA%A5p+l%E1%BA%A1i",
    "/api/v1/procedures?q=x+quang+y+te&channel=2",
    "/api/v1/procedures?q=dau+dinh+luong+nhan+hang+dong+goi",
];

/// Run the benchmark: `procedures` generated, `clients` connections, `requests` per scenario.
pub async fn run(procedures: usize, clients: usize, requests: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("motcua-bench-catalog-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut o = StoreOptions::new(format!("sqlite://{}/catalog.db", dir.display()));
    o.sqlite_sync = SqliteSync::Normal;
    let store = Store::open(&o).await?;
    let started = Instant::now();
    generate(&store, procedures).await?;
    println!(
        "generated {procedures} procedures in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    in_process(&store).await?;
    let state = motcua_web::AppState::new(store, motcua_web::WebConfig::default());
    let addr = serve(state).await?;
    // The first search builds the in-memory index; it is timed on its own.
    let mut c = Connection::open(addr).await?;
    let t = Instant::now();
    let r = c.request("GET", QUERIES[0], &[], None).await?;
    anyhow::ensure!(r.status == 200, "search answered {}", r.status);
    println!(
        "first search (builds the index): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let hits: serde_json::Value = serde_json::from_slice(&r.body)?;
    println!("hits for {:?}: {}", QUERIES[0], hits["total"]);
    drop(c);

    println!(
        "{:<28} {:>8} {:>10} {:>10} {:>10} {:>10}",
        "endpoint", "clients", "requests/s", "p50 ms", "p99 ms", "max ms"
    );
    let (bare_rate, _) = scenario(addr, clients, requests, &["/healthz"], "GET /healthz (constant)").await?;
    let (search_rate, mut lat) = scenario(addr, clients, requests, QUERIES, "GET /api/v1/procedures?q=…").await?;
    // Cache misses: two words drawn from the catalog's vocabulary, 8,000 different queries
    // (more than the 1,024 searches a snapshot remembers), so nearly every one is computed.
    let distinct = distinct_queries(8_000);
    let (miss_rate, mut miss) = scenario(addr, clients, requests, distinct, "… (8,000 distinct queries)").await?;
    println!(
        "distinct queries: {:.0} % of bare throughput, p99 {:.2} ms",
        100.0 * miss_rate / bare_rate,
        miss.percentile(99.0) / 1000.0
    );
    println!(
        "search throughput / bare throughput: {:.0} % (target ≥ 33 %); search p99 {:.2} ms (target < 5 ms)",
        100.0 * search_rate / bare_rate,
        lat.percentile(99.0) / 1000.0
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The search alone, per query, without HTTP: where the time of a request goes.
async fn in_process(store: &Store) -> anyhow::Result<()> {
    let index = motcua_store::catalog_index::CatalogIndex::new();
    let day = (Utc::now() + chrono::Duration::hours(7)).date_naive();
    let snapshot = index.snapshot(store, day).await?;
    println!(
        "{:<44} {:>8} {:>12} {:>12}",
        "in-process search (no HTTP)", "hits", "µs computed", "µs repeated"
    );
    for path in QUERIES {
        let query = path.split("q=").nth(1).unwrap_or("").split('&').next().unwrap_or("");
        let q = percent_decode(query);
        let filter = motcua_store::catalog::ListFilter::default();
        let rounds = 300;
        let query = motcua_core::catalog::Query::new(&q);
        let t = Instant::now();
        let mut hits = 0;
        for _ in 0..rounds {
            hits = snapshot.matches(&query, &filter).len();
        }
        let computed = t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        let t = Instant::now();
        for _ in 0..rounds {
            index.search(store, day, &q, &filter).await?;
        }
        let repeated = t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        println!("{:<44} {:>8} {:>12.1} {:>12.1}", q, hits, computed, repeated);
    }
    Ok(())
}

/// `+` and `%XX` of a query string.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::with_capacity(b.len()), 0);
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?'));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `n` search paths of two words each from the generated names, mostly different.
fn distinct_queries(n: usize) -> &'static [&'static str] {
    let mut words: Vec<String> = [ACTIONS, OBJECTS, SUBJECTS, PLACES]
        .iter()
        .flat_map(|list| list.iter())
        .flat_map(|t| {
            motcua_core::catalog::fold(t)
                .split(' ')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words.dedup();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let paths: Vec<&'static str> = (0..n)
        .map(|_| {
            let path = format!("/api/v1/procedures?q={}+{}", rng.pick(&words), rng.pick(&words));
            &*Box::leak(path.into_boxed_str())
        })
        .collect();
    Box::leak(paths.into_boxed_slice())
}

/// A small deterministic generator (xorshift), so every run has the same catalog.
struct Rng(u64);

impl Rng {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        items[(self.0 % items.len() as u64) as usize]
    }
}

/// `n` procedures with Vietnamese names, each saved as a draft and published through the store.
async fn generate(store: &Store, n: usize) -> anyhow::Result<()> {
    let actor = Actor {
        id: "bench".into(),
        role: "control_officer".into(),
        unit: "000.01.15.H50".into(),
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let effective = NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date");
    for i in 0..n {
        let name = format!(
            "{} {} {} tại {}",
            rng.pick(ACTIONS),
            rng.pick(OBJECTS),
            rng.pick(SUBJECTS),
            rng.pick(PLACES)
        );
        let field = rng.pick(FIELDS);
        let national = format!("2.{:06}", 100_000 + i);
        let channels = if i % 3 == 0 { "1 3" } else { "1 2 3" };
        let input = VersionInput {
            national_code: Some(national.clone()),
            applied_code: Some(format!("{national}.000.00.00.H50")),
            name: name.clone(),
            field: field.into(),
            level: "province".into(),
            agency: "000.00.15.H50".into(),
            channels: channels.into(),
            search_text: motcua_core::catalog::fold(&format!("{name} {field} 000.00.15.H50")),
            document: serde_json::json!({
                "national_code": national,
                "applied_code": format!("{national}.000.00.00.H50"),
                "name": name,
                "field": field,
            })
            .to_string(),
        };
        let v = catalog::save_draft(store, &actor, Utc::now(), None, input).await?;
        catalog::publish(
            store,
            &actor,
            Utc::now(),
            &v.procedure_id,
            effective,
            "QĐ 1/QĐ-UBND (bench)",
        )
        .await?;
    }
    Ok(())
}
