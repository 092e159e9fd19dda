//! The web view's JSON API over real HTTP, on a board booted without
//! Python: what `curl` (and the page) sees and changes.

use std::net::SocketAddr;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pycom_board::bus::shields::PysenseSpec;
use pycom_board::pins::{ButtonSpec, DeviceSpec, DhtSpec, Level, PinMode, Pull, Schedule};
use pycom_board::{Board, BoardModel, BootKind, Clock, ClockMode, DeviceImage, ROLLBACK_MESSAGE, ResetCause, Timeline};
use pycom_formats::ConfigBlock;
use pycom_formats::app_image::{BuildSpec, build};
use pycom_python::{Console, PowerSwitch, RunConfig, Script, StopRequest, UartInput};
use pycom_web::{Access, SettingRefused, Settings, WebBoard, WebServer};
use serde_json::{Value, json};

/// GPIO of `P10`.
const P10: u8 = 13;

struct Served {
    server: WebServer,
    board: Arc<Mutex<Board>>,
    input: UartInput,
    output: SyncSender<Vec<u8>>,
    client: reqwest::Client,
}

impl Served {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    async fn json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    }

    /// `POST path` with a JSON body: the status and the answer.
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self.client.post(self.url(path)).json(&body).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }
}

/// Settings of one name, `heartbeat_on_boot`, taking `true` or `false`
/// (the CLI lends `config set`'s checks for all of them).
struct HeartbeatOnly;

impl Settings for HeartbeatOnly {
    fn show(&self, block: &ConfigBlock) -> Value {
        json!({ "heartbeat_on_boot": block.heartbeat_on_boot() })
    }

    fn boot_info(&self, board: &mut Board) -> Value {
        json!({ "active_image": board.bootmgr_state().active_image })
    }

    fn names(&self) -> Vec<&'static str> {
        vec!["heartbeat_on_boot"]
    }

    fn set(&self, block: &mut ConfigBlock, name: &str, value: Option<&str>) -> Result<(), SettingRefused> {
        match (name, value) {
            ("heartbeat_on_boot", Some("true")) => block.set_heartbeat_on_boot(true),
            ("heartbeat_on_boot", Some("false")) => block.set_heartbeat_on_boot(false),
            ("heartbeat_on_boot", _) => return Err(SettingRefused::Invalid("expected true or false".into())),
            _ => return Err(SettingRefused::Unknown(name.into())),
        }
        Ok(())
    }
}

/// A booted LoPy4 with a button on P10 (pulled up), served on `addr`.
fn serve(addr: &str, access: Access) -> Served {
    let model = BoardModel::Lopy4;
    let mut board = Board::new(model, DeviceImage::in_memory(model).unwrap(), Arc::new(Clock::new(ClockMode::Virtual)));
    board.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    let button = DeviceSpec::Button(ButtonSpec {
        pin: "P10".into(),
        presses: vec![],
        hold_ms: 100.0,
        active_level: 0,
        pull: Some(Pull::Up),
    });
    board.attach_device(&button).unwrap();
    board.pin_configure(P10, PinMode::Input, None);
    let dht = DeviceSpec::Dht22(DhtSpec {
        pin: "P11".into(),
        temperature: Schedule::Constant(21.5),
        humidity: Schedule::Constant(48.0),
        pull_up: true,
    });
    board.attach_device(&dht).unwrap();
    let board = Arc::new(Mutex::new(board));
    let (output, receiver) = sync_channel(16);
    let input = UartInput::new();
    let web = WebBoard {
        board: board.clone(),
        devices: vec![button, dht],
        output: receiver,
        input: Some(input.clone()),
        repl: true,
        settings: Arc::new(HeartbeatOnly),
        power: PowerSwitch::default(),
    };
    let addr: SocketAddr = addr.parse().unwrap();
    let server = pycom_web::start(addr, web, access).unwrap();
    Served { server, board, input, output, client: reqwest::Client::new() }
}

fn local() -> Served {
    serve("127.0.0.1:0", Access::Open)
}

/// Waits until `check` holds, for at most two seconds.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < Duration::from_secs(2), "{what} did not happen");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_page_and_its_script_are_served_from_the_binary() {
    let served = local();
    let page = served.get("/").await;
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.text().await.unwrap().contains("<script src=\"app.js\">"));
    assert!(served.get("/app.js").await.text().await.unwrap().contains("EventSource"));
    assert_eq!(served.get("/nothing").await.status(), 404);
}

#[tokio::test]
async fn the_board_call_names_the_model_its_pins_and_the_board_files_devices() {
    let served = local();
    let board = served.json("/api/board").await;
    assert_eq!(board["model"], "lopy4");
    assert_eq!(board["name"], "LoPy4");
    assert!(board["pins"].as_array().unwrap().contains(&json!({ "module": "P10", "expansion": "G17", "gpio": 13 })));
    assert_eq!(
        board["devices"],
        json!([
            { "index": 0, "kind": "button", "pins": ["P10"], "pressable": true },
            { "index": 1, "kind": "dht22", "pins": ["P11"], "pressable": false },
        ])
    );
    assert_eq!(board["console_input"], true);
    assert_eq!(board["repl"], true, "the REPL reads the console after main.py");
    assert_eq!(board["radios"], json!(["wifi", "bluetooth", "lora", "sigfox"]));
}

#[tokio::test]
async fn the_state_follows_the_led_within_a_poll() {
    let served = local();
    served.board.lock().unwrap().set_heartbeat(false);
    served.board.lock().unwrap().set_rgbled(0x00ff00).unwrap();
    eventually("the LED turning green", async || served.json("/api/state").await["led"] == "#00ff00").await;
}

#[tokio::test]
async fn pressing_a_button_pulls_its_pin_low_until_it_is_let_go() {
    let served = local();
    let level = || served.board.lock().unwrap().pin_level(P10);
    assert_eq!(level(), Level::High);
    let press = |pressed: bool| {
        served.client.post(served.url("/api/devices/0/press")).json(&json!({ "pressed": pressed })).send()
    };
    assert!(press(true).await.unwrap().status().is_success());
    assert_eq!(level(), Level::Low);
    eventually("the pin reading low", async || {
        let state = served.json("/api/state").await;
        state["pins"].as_array().unwrap().iter().any(|p| p["gpio"] == P10 && p["level"] == "low")
    })
    .await;
    assert!(press(false).await.unwrap().status().is_success());
    assert_eq!(level(), Level::High);
    let not_a_button = served.client.post(served.url("/api/devices/7/press")).json(&json!({ "pressed": true }));
    assert_eq!(not_a_button.send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn console_input_reaches_the_uart_and_output_is_kept_for_the_page() {
    let served = local();
    let sent = served.client.post(served.url("/api/console")).body("print(6*7)\r").send().await.unwrap();
    assert!(sent.status().is_success());
    assert_eq!(served.input.take_all(), b"print(6*7)\r");
    served.output.send(b">>> 42\r\n".to_vec()).unwrap();
    eventually("the output kept", async || served.get("/api/console").await.text().await.unwrap() == ">>> 42\r\n")
        .await;
}

#[tokio::test]
async fn the_events_stream_sends_the_scrollback_then_state_and_output() {
    let served = local();
    served.output.send(b"booted\r\n".to_vec()).unwrap();
    eventually("the output kept", async || !served.get("/api/console").await.text().await.unwrap().is_empty()).await;
    let mut events = served.get("/api/events").await;
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    served.output.send(b"later\r\n".to_vec()).unwrap();
    let start = Instant::now();
    while !(seen.contains("event: state") && seen.contains("later")) {
        assert!(start.elapsed() < Duration::from_secs(2), "events so far: {seen}");
        let chunk = tokio::time::timeout(Duration::from_secs(2), events.chunk()).await.unwrap().unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.starts_with("event: console\ndata: \"booted\\r\\n\"\n"), "{seen}");
}

#[tokio::test]
async fn files_are_listed_uploaded_downloaded_and_removed_on_the_live_filesystem() {
    let served = local();
    let put = served.client.put(served.url("/api/files/content?path=/flash/data/new.py")).body("x = 1\n");
    assert_eq!(put.send().await.unwrap().status(), 404, "no folder /flash/data yet");
    let mkdir = served.client.post(served.url("/api/files/mkdir?path=/flash/data")).send().await.unwrap();
    assert!(mkdir.status().is_success());
    let put = served.client.put(served.url("/api/files/content?path=/flash/data/new.py")).body("x = 1\n");
    assert!(put.send().await.unwrap().status().is_success());
    assert_eq!(served.board.lock().unwrap().volume("flash").unwrap().read("/data/new.py").unwrap(), b"x = 1\n");
    let listing = served.json("/api/files?path=/flash/data").await;
    assert_eq!(listing, json!([{ "name": "new.py", "dir": false, "size": 6 }]));
    assert_eq!(served.get("/api/files/content?path=/flash/data/new.py").await.text().await.unwrap(), "x = 1\n");
    let not_empty = served.client.delete(served.url("/api/files?path=/flash/data")).send().await.unwrap();
    assert_eq!(not_empty.status(), 409);
    for path in ["/flash/data/new.py", "/flash/data"] {
        let removed = served.client.delete(served.url(&format!("/api/files?path={path}"))).send().await.unwrap();
        assert!(removed.status().is_success(), "{path}");
    }
    assert_eq!(served.get("/api/files?path=/flash/data").await.status(), 404);
    assert_eq!(served.get("/api/files?path=/sd").await.status(), 404, "no card is mounted");
    let volume = served.client.delete(served.url("/api/files?path=/flash")).send().await.unwrap();
    assert_eq!(volume.status(), 400);
}

#[tokio::test]
async fn an_nvs_edit_is_what_pycom_nvs_get_reads_next() {
    let served = local();
    let set = |key: &str, value: Value| {
        served.client.put(served.url(&format!("/api/nvs/{key}"))).json(&json!({ "value": value })).send()
    };
    assert_eq!(set("count", json!(-1)).await.unwrap().json::<Value>().await.unwrap(), json!({ "value": -1 }));
    assert!(set("name", json!("pycom")).await.unwrap().status().is_success());
    let get =
        |key: &'static str| served.board.lock().unwrap().with_nvs(|nvs, flash| nvs.get(flash, key.as_bytes())).unwrap();
    assert_eq!(get("count"), pycom_board::nvs::PycomValue::Int(-1));
    assert_eq!(get("name"), pycom_board::nvs::PycomValue::Str(b"pycom".to_vec()));
    let keys = served.json("/api/nvs").await;
    assert_eq!(
        keys,
        json!([{ "key": "count", "type": "u32", "value": -1 }, { "key": "name", "type": "str", "value": "pycom" }])
    );
    assert_eq!(set("a_key_far_too_long", json!(1)).await.unwrap().status(), 400);
    assert_eq!(set("x", json!(true)).await.unwrap().status(), 400);
    let erased = served.client.delete(served.url("/api/nvs/count")).send().await.unwrap();
    assert!(erased.status().is_success());
    assert_eq!(served.client.delete(served.url("/api/nvs/count")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn settings_are_shown_as_the_view_given_renders_them_with_boot_info() {
    let served = local();
    assert_eq!(served.json("/api/settings").await, json!({ "heartbeat_on_boot": true }));
    assert_eq!(served.json("/api/settings/boot_info").await, json!({ "active_image": 0 }));
    assert_eq!(served.json("/api/settings/names").await, json!(["heartbeat_on_boot"]));
}

#[tokio::test]
async fn a_setting_is_changed_with_the_views_checks_and_a_refused_one_changes_nothing() {
    let served = local();
    let set = |name: &str, value: Value| {
        served.client.put(served.url(&format!("/api/settings/{name}"))).json(&json!({ "value": value })).send()
    };
    let refused = set("heartbeat_on_boot", json!("maybe")).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.json::<Value>().await.unwrap(), json!({ "error": "expected true or false" }));
    assert!(served.board.lock().unwrap().config().heartbeat_on_boot());
    assert_eq!(set("no_such_setting", json!(1)).await.unwrap().status(), 404);
    assert_eq!(set("heartbeat_on_boot", json!([true])).await.unwrap().status(), 400);
    let changed = set("heartbeat_on_boot", json!(false)).await.unwrap();
    assert_eq!(changed.json::<Value>().await.unwrap(), json!({ "heartbeat_on_boot": false }));
    let board = served.board.clone();
    let on_flash = tokio::task::spawn_blocking(move || {
        let mut board = board.lock().unwrap();
        pycom_board::Config::load(board.flash()).unwrap().block().heartbeat_on_boot()
    });
    assert!(!on_flash.await.unwrap(), "the config sector is rewritten");
}

/// Stores `cal`, a u8 of 7, in the namespace `phy` of the served board.
fn store_phy_cal(served: &Served) {
    let mut board = served.board.lock().unwrap();
    board
        .with_nvs(|nvs, flash| {
            let storage = nvs.storage().unwrap();
            let ns = storage.open_namespace(flash, "phy", true)?;
            storage.set(flash, ns, b"cal", &pycom_board::nvs::Value::U8(7))
        })
        .unwrap();
}

#[tokio::test]
async fn other_nvs_namespaces_are_listed_and_shown() {
    let served = local();
    served.board.lock().unwrap().with_nvs(|nvs, flash| nvs.set_u32(flash, b"count", 3)).unwrap();
    store_phy_cal(&served);
    let names = served.json("/api/nvs/namespaces").await;
    assert!(names.as_array().unwrap().contains(&json!("PY_NVM")) && names.as_array().unwrap().contains(&json!("phy")));
    assert_eq!(served.json("/api/nvs?namespace=phy").await, json!([{ "key": "cal", "type": "u8", "value": 7 }]));
    assert_eq!(served.json("/api/nvs?namespace=PY_NVM").await, served.json("/api/nvs").await);
    assert_eq!(served.get("/api/nvs?namespace=nothing").await.status(), 404);
}

#[tokio::test]
async fn a_key_of_another_namespace_is_changed_in_its_own_type_and_erased() {
    let served = local();
    store_phy_cal(&served);
    let put = |key: &str, body: serde_json::Value| {
        served.client.put(served.url(&format!("/api/nvs/{key}?namespace=phy"))).json(&body).send()
    };
    let answer = put("cal", json!({ "value": 200 })).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<serde_json::Value>().await.unwrap(), json!({ "type": "u8", "value": 200 }));
    let refused = put("cal", json!({ "value": 300 })).await.unwrap();
    assert_eq!(refused.status(), 400, "300 does not fit a u8");
    assert_eq!(put("new", json!({ "value": 1 })).await.unwrap().status(), 400, "a new key needs its type");
    assert_eq!(put("blob", json!({ "value": [1, 2, 3], "type": "blob" })).await.unwrap().status(), 200);
    assert_eq!(
        served.json("/api/nvs?namespace=phy").await,
        json!([{ "key": "cal", "type": "u8", "value": 200 }, { "key": "blob", "type": "blobindex", "value": [1, 2, 3] }])
    );
    let erased = served.client.delete(served.url("/api/nvs/cal?namespace=phy")).send().await.unwrap();
    assert_eq!(erased.status(), 200);
    let left = served.json("/api/nvs?namespace=phy").await;
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
    assert_eq!(served.json("/api/nvs").await, json!([]), "PY_NVM untouched");
}

#[tokio::test]
async fn the_timeline_holds_the_leds_colours_and_the_chosen_pins_over_device_time() {
    let served = local();
    served.board.lock().unwrap().set_heartbeat(false);
    served.board.lock().unwrap().clock().wait_us(1000);
    served.board.lock().unwrap().set_rgbled(0x00ff00).unwrap();
    served.client.post(served.url("/api/devices/0/press")).json(&json!({ "pressed": true })).send().await.unwrap();
    let timeline = served.json("/api/timeline?pins=P10").await;
    let led = timeline["led"].as_array().unwrap();
    let green = led.iter().find(|p| p[1] == "#00ff00").expect("the green LED in the timeline");
    assert!(green[0].as_u64().unwrap() >= 1000);
    let p10 = timeline["pins"]["P10"].as_array().unwrap();
    assert_eq!(p10.last().unwrap()[1], "low", "{p10:?}");
    assert_eq!(timeline["capacity"], 100_000);
    // Asked again after what was seen: nothing new.
    let again = served.json(&format!("/api/timeline?pins=P10&after={}", timeline["seq"])).await;
    assert_eq!((again["led"].as_array().unwrap().len(), again["pins"]["P10"].as_array().unwrap().len()), (0, 0));
    // From a time on: the value then first.
    let since = served.json(&format!("/api/timeline?since_us={}", green[0].as_u64().unwrap() + 1)).await;
    assert_eq!(since["led"][0][1], "#00ff00");
    assert_eq!(served.get("/api/timeline?pins=P99").await.status(), 400);
}

#[tokio::test]
async fn a_sensor_value_set_by_hand_is_what_the_sensor_measures_from_then_on() {
    let served = local();
    let sensors = served.json("/api/sensors").await;
    assert_eq!(
        sensors,
        json!([{ "device": 1, "kind": "dht22", "pin": "P11", "readings": [
            { "quantity": "temperature", "unit": "°C", "value": 21.5 },
            { "quantity": "humidity", "unit": "%RH", "value": 48.0 },
        ] }])
    );
    let set = |path: &str, value: Value| served.client.put(served.url(path)).json(&json!({ "value": value })).send();
    assert!(set("/api/sensors/1/temperature", json!(30.25)).await.unwrap().status().is_success());
    let gpio = served.board.lock().unwrap().find_pin("P11").unwrap().gpio;
    let readings = served.board.lock().unwrap().sensor_readings(gpio);
    assert_eq!((readings[0].value, readings[1].value), (30.25, 48.0));
    assert_eq!(set("/api/sensors/1/pressure", json!(1.0)).await.unwrap().status(), 404);
    assert_eq!(set("/api/sensors/0/temperature", json!(1.0)).await.unwrap().status(), 404, "a button");
    assert_eq!(set("/api/sensors/1/temperature", json!("hot")).await.unwrap().status(), 422);
}

/// A booted LoPy4 with a Pysense as the board file's device 0, served on `addr`.
fn serve_pysense(addr: &str, access: Access) -> Served {
    let model = BoardModel::Lopy4;
    let mut board = Board::new(model, DeviceImage::in_memory(model).unwrap(), Arc::new(Clock::new(ClockMode::Virtual)));
    board.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    let pysense = DeviceSpec::Pysense(PysenseSpec {
        version: 2,
        temperature: Schedule::Constant(21.0),
        humidity: Schedule::Constant(50.0),
        pressure: Schedule::Constant(101_325.0),
        altitude: Schedule::Constant(0.0),
        light: Schedule::Constant(300.0),
        acceleration: [Schedule::Constant(0.0), Schedule::Constant(0.0), Schedule::Constant(1.0)],
        battery_voltage: Schedule::Constant(4.1),
        button: Schedule::Constant(0.0),
    });
    board.attach_device(&pysense).unwrap();
    let board = Arc::new(Mutex::new(board));
    let (output, receiver) = sync_channel(16);
    let input = UartInput::new();
    let web = WebBoard {
        board: board.clone(),
        devices: vec![pysense],
        output: receiver,
        input: Some(input.clone()),
        repl: true,
        settings: Arc::new(HeartbeatOnly),
        power: PowerSwitch::default(),
    };
    let server = pycom_web::start(addr.parse().unwrap(), web, access).unwrap();
    Served { server, board, input, output, client: reqwest::Client::new() }
}

/// The shield's value of `quantity` as the board measures it now.
fn shield_value(served: &Served, quantity: &str) -> f64 {
    let readings = served.board.lock().unwrap().shield_readings();
    readings.iter().find(|r| r.quantity == quantity).unwrap().value
}

#[tokio::test]
async fn a_shields_values_are_listed_and_one_set_by_hand_holds_within_the_board_files_range() {
    let served = serve_pysense("127.0.0.1:0", Access::Open);
    let sensors = served.json("/api/sensors").await;
    assert_eq!((sensors[0]["device"].clone(), sensors[0]["kind"].clone()), (json!(0), json!("pysense")));
    let quantities: Vec<_> = sensors[0]["readings"].as_array().unwrap().iter().map(|r| r["quantity"].clone()).collect();
    assert_eq!(
        quantities,
        [
            "temperature",
            "humidity",
            "pressure",
            "altitude",
            "light",
            "acceleration_x",
            "acceleration_y",
            "acceleration_z",
            "battery_voltage",
            "button"
        ]
    );
    assert_eq!(sensors[0]["readings"][0], json!({ "quantity": "temperature", "unit": "°C", "value": 21.0 }));
    let set = |path: &str, value: Value| served.client.put(served.url(path)).json(&json!({ "value": value })).send();
    let answer = set("/api/sensors/0/temperature", json!(30.5)).await.unwrap();
    assert!(answer.status().is_success());
    assert_eq!(shield_value(&served, "temperature"), 30.5);
    assert_eq!(served.json("/api/sensors").await[0]["readings"][0]["value"], 30.5, "read back");
    set("/api/sensors/0/acceleration_z", json!(-1.0)).await.unwrap();
    assert_eq!(shield_value(&served, "acceleration_z"), -1.0);
    let refused = set("/api/sensors/0/humidity", json!(101)).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.json::<Value>().await.unwrap(), json!({ "error": "humidity 101 is out of range (0 to 100)" }));
    assert_eq!(shield_value(&served, "humidity"), 50.0, "a refused value changes nothing");
    assert_eq!(set("/api/sensors/0/latitude", json!(1.0)).await.unwrap().status(), 404, "a Pysense has no GPS");
    assert_eq!(set("/api/sensors/0/light", json!("dark")).await.unwrap().status(), 422);
}

#[tokio::test]
async fn without_its_token_a_shields_value_is_not_set() {
    let served = serve_pysense("0.0.0.0:0", Access::for_address("0.0.0.0:0".parse().unwrap()).unwrap());
    let Access::Token(token) = served.server.access.clone() else { panic!("0.0.0.0 needs a token") };
    let url = |path: &str| format!("http://127.0.0.1:{}{path}", served.server.addr.port());
    let set = |url: String| served.client.put(url).json(&json!({ "value": 40.0 })).send();
    assert_eq!(served.client.get(url("/api/sensors")).send().await.unwrap().status(), 401);
    assert_eq!(set(url("/api/sensors/0/temperature")).await.unwrap().status(), 401);
    assert_eq!(shield_value(&served, "temperature"), 21.0, "nothing changed");
    assert_eq!(set(url(&format!("/api/sensors/0/temperature?token={token}"))).await.unwrap().status(), 200);
    assert_eq!(shield_value(&served, "temperature"), 40.0);
}

#[tokio::test]
async fn without_its_token_a_non_loopback_view_answers_401_and_changes_nothing() {
    let served = serve("0.0.0.0:0", Access::for_address("0.0.0.0:0".parse().unwrap()).unwrap());
    let Access::Token(token) = served.server.access.clone() else { panic!("0.0.0.0 needs a token") };
    assert!(served.server.url().ends_with(&format!("/?token={token}")));
    let url = |path: &str| format!("http://127.0.0.1:{}{path}", served.server.addr.port());
    let client = &served.client;
    let refused = [
        client.get(url("/api/state")),
        client.get(url("/api/events")),
        client.put(url("/api/nvs/k")).json(&json!({ "value": 1 })),
        client.put(url("/api/files/content?path=/flash/x.py")).body("x"),
        client.post(url("/api/console")).body("\x04"),
        client.post(url("/api/devices/0/press")).json(&json!({ "pressed": true })),
        client.get(url("/api/state")).bearer_auth("wrong"),
        client.get(url(&format!("/api/state?token={}x", token))),
        client.post(url("/api/clock")).json(&json!({ "paused": true })),
        client.post(url("/api/clock/step")).json(&json!({ "ms": 100 })),
        client.post(url("/api/power/reset")),
        client.post(url("/api/power/cycle")),
        client.post(url("/api/power/safe-boot")).json(&json!({ "hold_ms": 1000 })),
        client.post(url("/api/power/cut-at-next-write")),
        client.put(url("/api/firmware")).body(vec![0xE9u8; 4096]),
    ];
    for request in refused {
        assert_eq!(request.send().await.unwrap().status(), 401);
    }
    assert!(served.board.lock().unwrap().with_nvs(|nvs, flash| nvs.get(flash, b"k")).is_err());
    assert!(served.board.lock().unwrap().volume("flash").unwrap().read("/x.py").is_err());
    assert_eq!(served.board.lock().unwrap().pin_level(P10), Level::High);
    assert!(served.input.take_all().is_empty());
    {
        let board = served.board.lock().unwrap();
        assert!(!board.clock().control().paused(), "the clock runs");
        assert!(!board.power_cut_armed(), "no power cut");
        assert!(!board.app_slots()[1].valid, "no firmware written");
    }
    // The page itself holds no board data; the API opens with the token.
    assert_eq!(client.get(url("/")).send().await.unwrap().status(), 200);
    assert_eq!(client.get(url("/api/state")).bearer_auth(&token).send().await.unwrap().status(), 200);
    let with_query = client.put(url(&format!("/api/nvs/k?token={token}"))).json(&json!({ "value": 1 }));
    assert_eq!(with_query.send().await.unwrap().status(), 200);
}

/// The board's console as the web view takes it from a run.
struct ToPage(SyncSender<Vec<u8>>);

impl Console for ToPage {
    fn write(&mut self, text: &str) -> Option<StopRequest> {
        let _ = self.0.send(text.as_bytes().to_vec());
        None
    }
}

/// A LoPy4 running `main` as its `main.py` (then the REPL) on the virtual
/// clock, with its power switch, served on loopback.
fn run_script(main: &str) -> Served {
    let model = BoardModel::Lopy4;
    let board = Board::new(model, DeviceImage::in_memory(model).unwrap(), Arc::new(Clock::new(ClockMode::Virtual)));
    let board = Arc::new(Mutex::new(board));
    let (output, receiver) = sync_channel(1024);
    let (input, power) = (UartInput::new(), PowerSwitch::default());
    let web = WebBoard {
        board: board.clone(),
        devices: vec![],
        output: receiver,
        input: Some(input.clone()),
        repl: true,
        settings: Arc::new(HeartbeatOnly),
        power: power.clone(),
    };
    let server = pycom_web::start("127.0.0.1:0".parse().unwrap(), web, Access::Open).unwrap();
    let config = RunConfig {
        main: Some(Script { name: "main.py".into(), source: main.into() }),
        uart: Some(input.clone()),
        repl: true,
        timeout: None,
        max_resets: None,
        power,
    };
    let (running, console) = (board.clone(), ToPage(output.clone()));
    std::thread::spawn(move || pycom_python::run(running, Box::new(console), config));
    Served { server, board, input, output, client: reqwest::Client::new() }
}

/// Prints the reset cause at every boot, then sleeps in steps of 5 ms.
const CAUSE_THEN_SLEEP: &str =
    "import machine, time\nprint('cause', machine.reset_cause())\nwhile True:\n    time.sleep_ms(5)\n";

/// Waits until the console has shown `text` `times` times, for at most ten seconds.
async fn console_shows(served: &Served, text: &str, times: usize) {
    let start = Instant::now();
    loop {
        let console = served.get("/api/console").await.text().await.unwrap();
        if console.matches(text).count() >= times {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "waited for {times} x {text:?}; console:\n{console}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn pausing_stops_device_time_and_a_step_moves_it_by_exactly_the_step() {
    let served = run_script(CAUSE_THEN_SLEEP);
    console_shows(&served, "cause 0", 1).await;
    let (status, paused) = served.post("/api/clock", json!({ "paused": true })).await;
    assert_eq!((status, paused["paused"].clone(), paused["speed"].clone()), (200, json!(true), json!("max")));
    let t0 = served.json("/api/clock").await["time_us"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(served.json("/api/clock").await["time_us"], t0, "device time stood still while paused");
    let (status, stepped) = served.post("/api/clock/step", json!({ "ms": 100 })).await;
    assert_eq!(status, 200);
    assert_eq!(stepped, json!({ "time_us": t0 + 100_000, "until_us": t0 + 100_000, "reached": true }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(served.json("/api/clock").await["time_us"], t0 + 100_000, "paused again after the step");
    eventually("the state showing the step", async || {
        let state = served.json("/api/state").await;
        state["time_us"] == t0 + 100_000 && state["paused"] == true
    })
    .await;
    assert_eq!(served.post("/api/clock/step", json!({ "ms": 0 })).await.0, 400);
    assert_eq!(served.post("/api/clock/step", json!({ "seconds": 1 })).await.0, 422);
    assert_eq!(served.post("/api/clock", json!({ "speed": "x3" })).await.0, 422);
    served.post("/api/clock", json!({ "paused": false })).await;
    eventually("device time running again", async || served.json("/api/clock").await["time_us"] != t0 + 100_000).await;
}

#[tokio::test]
async fn at_real_time_speed_device_time_keeps_to_the_wall_clock() {
    let served = run_script(CAUSE_THEN_SLEEP);
    console_shows(&served, "cause 0", 1).await;
    let (_, clock) = served.post("/api/clock", json!({ "speed": "realtime" })).await;
    assert_eq!(clock["speed"], "realtime");
    let (t0, wall) = (served.json("/api/clock").await["time_us"].as_u64().unwrap(), Instant::now());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let moved = served.json("/api/clock").await["time_us"].as_u64().unwrap() - t0;
    let wall = wall.elapsed().as_micros() as u64;
    assert!(moved <= wall + 50_000, "{moved} µs of device time in {wall} µs of wall time");
    assert!(moved >= 200_000, "{moved} µs of device time in {wall} µs of wall time");
    served.post("/api/clock", json!({ "speed": "max" })).await;
    let t1 = served.json("/api/clock").await["time_us"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let moved = served.json("/api/clock").await["time_us"].as_u64().unwrap() - t1;
    assert!(moved > 3_000_000, "as fast as possible: only {moved} µs in 300 ms");
}

#[tokio::test]
async fn reset_power_cycle_and_safe_boot_boot_the_board_as_their_buttons_do() {
    let served = run_script(CAUSE_THEN_SLEEP);
    console_shows(&served, "cause 0", 1).await;
    // A paused clock does not hold a reset back.
    served.post("/api/clock", json!({ "paused": true })).await;
    assert_eq!(served.post("/api/power/reset", json!(null)).await, (200, json!({ "requested": "reset" })));
    console_shows(&served, "cause 1", 1).await;
    assert_eq!(served.json("/api/clock").await["paused"], false);
    assert_eq!(served.post("/api/power/cycle", json!(null)).await.0, 200);
    console_shows(&served, "cause 0", 2).await;
    assert_eq!(served.post("/api/power/safe-boot", json!({ "hold_ms": 61_000 })).await.0, 400);
    assert_eq!(served.post("/api/power/safe-boot", json!({ "hold_ms": 1000 })).await.0, 200);
    // A safe boot skips main.py: the REPL runs.
    console_shows(&served, ">>> ", 1).await;
    assert!(served.board.lock().unwrap().safe_boot());
    assert_eq!(served.board.lock().unwrap().reset_cause(), ResetCause::PowerOn);
    assert_eq!(served.get("/api/console").await.text().await.unwrap().matches("cause").count(), 3);
}

#[tokio::test]
async fn a_soft_reset_from_the_page_runs_boot_py_and_main_py_again_with_soft_reset() {
    let served = run_script(CAUSE_THEN_SLEEP);
    console_shows(&served, "cause 0", 1).await;
    let (status, answer) = served.post("/api/power/soft-reset", json!(null)).await;
    assert_eq!((status, answer), (200, json!({ "requested": "soft reset" })));
    console_shows(&served, "cause 4", 1).await;
    let console = served.get("/api/console").await.text().await.unwrap();
    assert!(console.contains("PYB: soft reboot\r\ncause 4"), "{console}");
    eventually("the boot counted", async || served.json("/api/state").await["boots"] == 2).await;
}

#[tokio::test]
async fn a_power_cut_at_the_next_flash_write_powers_the_board_on_again_with_the_value_old_or_new() {
    let served = run_script(
        "import machine, pycom, time\nprint('cause', machine.reset_cause())\nn = pycom.nvs_get('n', 0)\n\
         print('n', n)\nwhile True:\n    n += 1\n    pycom.nvs_set('n', n)\n    time.sleep_ms(1)\n",
    );
    console_shows(&served, "cause 0", 1).await;
    let boots = served.board.lock().unwrap().boots();
    assert_eq!(served.post("/api/power/cut-at-next-write", json!(null)).await, (200, json!({ "cut_armed": true })));
    console_shows(&served, "cause 0", 2).await;
    eventually("the state showing no cut armed", async || served.json("/api/state").await["cut_armed"] == false).await;
    assert_eq!(served.board.lock().unwrap().boots(), boots + 1);
    let console = served.get("/api/console").await.text().await.unwrap();
    assert!(!console.contains("Traceback"), "the power went without a word from the script:\n{console}");
    // The boot read the value the cut left, and the script counts on from it.
    let after_cut: u64 = console.lines().filter_map(|l| l.strip_prefix("n ")).nth(1).unwrap().trim().parse().unwrap();
    assert!(after_cut > 0);
    // Armed and disarmed while the clock stands, nothing happens.
    served.post("/api/clock", json!({ "paused": true })).await;
    assert_eq!(served.post("/api/power/cut-at-next-write", json!(null)).await.0, 200);
    eventually("the state showing the cut armed", async || served.json("/api/state").await["cut_armed"] == true).await;
    let disarmed = served.client.delete(served.url("/api/power/cut-at-next-write")).send().await.unwrap();
    assert_eq!(disarmed.json::<Value>().await.unwrap(), json!({ "cut_armed": false }));
    served.post("/api/clock", json!({ "paused": false })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(served.board.lock().unwrap().boots(), boots + 1);
}

fn app_image(version: &str) -> Vec<u8> {
    build(&BuildSpec {
        version: version.into(),
        project_name: "web-test".into(),
        idf_version: "v3.3.1".into(),
        size: Some(128 << 10),
    })
}

#[tokio::test]
async fn an_uploaded_image_runs_after_a_reset_and_a_junk_one_is_rolled_back() {
    let served = local();
    let firmware = served.json("/api/firmware").await;
    assert_eq!(firmware["release"], "1.20.2.r6");
    assert_eq!(firmware["running"], "factory");
    assert_eq!(firmware["boot_info"]["status"], "ready");
    assert_eq!(firmware["slots"][1]["slot"], "ota_0");
    assert_eq!(firmware["slots"][1]["valid"], false);
    let put = |body: Vec<u8>| served.client.put(served.url("/api/firmware")).body(body).send();

    let refused = put(b"print('not firmware')".to_vec()).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("neither an app image"));
    let too_big = put(vec![0xE9; 2 << 20]).await.unwrap();
    assert_eq!(too_big.status(), 400);
    assert_eq!(served.json("/api/firmware").await, firmware, "nothing was written");

    let written = put(app_image("1.20.2.r7")).await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(written["written"], 128 << 10);
    assert_eq!(
        (written["kind"].clone(), written["slot"].clone(), written["verifies"].clone()),
        (json!("image"), json!("ota_0"), json!(true))
    );
    assert_eq!(written["message"], pycom_board::FULL_UPDATE_MESSAGE);
    assert_eq!(served.json("/api/firmware").await["boot_info"]["status"], "check");
    served.board.lock().unwrap().boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    let firmware = served.json("/api/firmware").await;
    assert_eq!((firmware["release"].clone(), firmware["running"].clone()), (json!("1.20.2.r7"), json!("ota_0")));
    assert_eq!(firmware["boot_info"]["status"], "ready");
    assert_eq!(firmware["last_boot"], json!([]));

    // A damaged image is written (the updater checks nothing) and the bootloader rolls it back.
    let mut junk = app_image("1.20.2.r8");
    junk[0x2000] ^= 0xFF;
    let written = put(junk).await.unwrap().json::<Value>().await.unwrap();
    assert_eq!((written["slot"].clone(), written["verifies"].clone()), (json!("factory"), json!(false)));
    served.board.lock().unwrap().boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    let firmware = served.json("/api/firmware").await;
    assert_eq!((firmware["release"].clone(), firmware["running"].clone()), (json!("1.20.2.r7"), json!("ota_0")));
    assert_eq!(firmware["last_boot"], json!([ROLLBACK_MESSAGE]));
    assert_eq!(firmware["boot_info"]["previous"], "factory");
    assert_eq!(firmware["slots"][0]["valid"], false, "the factory slot holds the damaged image");
    assert_eq!(firmware["slots"][1]["running"], true);

    let patch = put(b"BSDIFF40 and then some".to_vec()).await.unwrap();
    assert_eq!(patch.status(), 409, "the board runs without --diff-update");
}

#[tokio::test]
async fn with_diff_updates_an_uploaded_bsdiff_patch_is_applied_at_the_next_boot() {
    let served = local();
    let old = {
        let mut board = served.board.lock().unwrap();
        board.enable_diff_update();
        let (at, size) = (board.app_slots()[0].offset as usize, board.ota_slot_size() as usize);
        board.flash().contents()[at..at + size].to_vec()
    };
    let mut patch = Vec::new();
    qbsdiff::Bsdiff::new(&old, &app_image("1.20.2.r9")).compare(&mut patch).unwrap();
    let written = served.client.put(served.url("/api/firmware")).body(patch).send().await.unwrap();
    let written = written.json::<Value>().await.unwrap();
    assert_eq!((written["kind"].clone(), written["verifies"].clone()), (json!("patch"), Value::Null));
    assert_eq!(written["message"], pycom_board::DIFF_PENDING_MESSAGE);
    assert_eq!(served.json("/api/firmware").await["boot_info"]["status"], "patch");
    served.board.lock().unwrap().boot(BootKind::Hard(ResetCause::Hard)).unwrap();
    let firmware = served.json("/api/firmware").await;
    assert_eq!((firmware["release"].clone(), firmware["running"].clone()), (json!("1.20.2.r9"), json!("ota_0")));
    assert_eq!(firmware["last_boot"], json!([pycom_board::PATCH_OK_MESSAGE]));
}
/// A fleet's board and the sender of its output.
type FleetBoard = (Arc<Mutex<Board>>, SyncSender<Vec<u8>>);

/// A fleet's boards, booted, served on one address.
struct FleetServed {
    server: WebServer,
    boards: Vec<FleetBoard>,
    /// Each board's clock, read without the board's lock.
    clocks: Vec<Arc<Clock>>,
    client: reqwest::Client,
}

impl FleetServed {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.server.addr.port())
    }

    async fn json(&self, path: &str) -> Value {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    }

    /// `POST path` with a JSON body: the status and the answer.
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self.client.post(self.url(path)).json(&body).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    /// The fleet's device time, as `/api/fleet/clock` gives it.
    async fn fleet_time(&self) -> u64 {
        self.json("/api/fleet/clock").await["time_us"].as_u64().unwrap()
    }

    /// Each board's own device time.
    fn board_times(&self) -> Vec<u64> {
        self.clocks.iter().map(|clock| clock.now_us()).collect()
    }

    /// Waits until board `name`'s console has shown `text`, for at most ten seconds.
    async fn console_shows(&self, name: &str, text: &str) {
        let start = Instant::now();
        loop {
            let response = self.client.get(self.url(&format!("/api/boards/{name}/console"))).send().await.unwrap();
            let console = response.text().await.unwrap();
            if console.contains(text) {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "waited for {text:?} from {name}; console:\n{console}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The boards of a fleet: (name, model), booted from power-on.
fn fleet_boards(boards: &[(&str, BoardModel)]) -> Vec<(String, WebBoard, SyncSender<Vec<u8>>)> {
    boards
        .iter()
        .map(|&(name, model)| {
            let image = DeviceImage::in_memory(model).unwrap();
            let mut board = Board::new(model, image, Arc::new(Clock::new(ClockMode::Virtual)));
            board.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
            let (sender, output) = sync_channel(16);
            let board = Arc::new(Mutex::new(board));
            let web = WebBoard {
                board,
                devices: vec![],
                output,
                input: None,
                repl: false,
                settings: Arc::new(HeartbeatOnly),
                power: PowerSwitch::default(),
            };
            (name.to_owned(), web, sender)
        })
        .collect()
}

/// A LoPy4 `node-a` and a FiPy `node-b`, served on `addr`.
fn serve_fleet(addr: &str, access: Access) -> FleetServed {
    let mut served = Vec::new();
    let mut boards = Vec::new();
    for (name, web, output) in fleet_boards(&[("node-a", BoardModel::Lopy4), ("node-b", BoardModel::Fipy)]) {
        boards.push((web.board.clone(), output));
        served.push((name, web));
    }
    let clocks = boards.iter().map(|(board, _)| board.lock().unwrap().clock().clone()).collect();
    let server = pycom_web::start_fleet(addr.parse().unwrap(), served, access).unwrap();
    FleetServed { server, boards, clocks, client: reqwest::Client::new() }
}

/// LoPy4s named `names` on one timeline (as `fleet` runs them), each
/// running `main` as its `main.py`, served on loopback.
fn run_fleet(names: &[&str], main: &str) -> FleetServed {
    let timeline = Timeline::new();
    let paces: Vec<_> = names.iter().map(|_| timeline.join()).collect();
    let (mut served, mut boards, mut clocks, mut runs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (&name, pace) in names.iter().zip(paces) {
        let model = BoardModel::Lopy4;
        let clock = Arc::new(Clock::paced(pace));
        let board = Arc::new(Mutex::new(Board::new(model, DeviceImage::in_memory(model).unwrap(), clock.clone())));
        let (output, receiver) = sync_channel(1024);
        let power = PowerSwitch::default();
        let web = WebBoard {
            board: board.clone(),
            devices: vec![],
            output: receiver,
            input: None,
            repl: false,
            settings: Arc::new(HeartbeatOnly),
            power: power.clone(),
        };
        let config = RunConfig {
            main: Some(Script { name: "main.py".into(), source: main.into() }),
            uart: None,
            repl: false,
            timeout: None,
            max_resets: None,
            power,
        };
        runs.push((board.clone(), ToPage(output.clone()), config));
        boards.push((board, output));
        clocks.push(clock);
        served.push((name.to_owned(), web));
    }
    let server = pycom_web::start_fleet("127.0.0.1:0".parse().unwrap(), served, Access::Open).unwrap();
    for (board, console, config) in runs {
        std::thread::spawn(move || pycom_python::run(board, Box::new(console), config));
    }
    FleetServed { server, boards, clocks, client: reqwest::Client::new() }
}

/// Ticks every 10 ms of device time, for ever.
const TICKING: &str = "import time\nprint('ticking')\nwhile True:\n    time.sleep_ms(10)\n";
/// How far a ticking board's own time may lag the fleet's: one tick and the
/// interpreter's charges.
const TICK_LAG_US: u64 = 12_000;

#[tokio::test]
async fn pausing_a_fleets_clock_holds_every_board_and_a_step_moves_them_all_by_exactly_the_step() {
    let fleet = run_fleet(&["node-a", "node-b"], TICKING);
    for name in ["node-a", "node-b"] {
        fleet.console_shows(name, "ticking").await;
    }
    let (status, paused) = fleet.post("/api/fleet/clock", json!({ "paused": true })).await;
    assert_eq!((status, paused["paused"].clone(), paused["speed"].clone()), (200, json!(true), json!("max")));
    // A board may still finish the charge it had begun when the pause came.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let t0 = fleet.fleet_time().await;
    let held = fleet.board_times();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(fleet.fleet_time().await, t0, "the fleet's device time stood still while paused");
    assert_eq!(fleet.board_times(), held, "every board's device time stood still while paused");
    for t in &held {
        assert!(*t <= t0 && t0 - t <= TICK_LAG_US, "a board at {t} µs, the fleet at {t0} µs");
    }
    // Each board's own view shows the fleet's clock.
    assert_eq!(fleet.json("/api/boards/node-b/clock").await, json!({ "time_us": t0, "paused": true, "speed": "max" }));

    let (status, stepped) = fleet.post("/api/fleet/clock/step", json!({ "ms": 100 })).await;
    assert_eq!(status, 200);
    assert_eq!(stepped, json!({ "time_us": t0 + 100_000, "until_us": t0 + 100_000, "reached": true }));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(fleet.fleet_time().await, t0 + 100_000, "paused again after exactly the step");
    let stepped = fleet.board_times();
    for t in &stepped {
        assert!(*t <= t0 + 100_000 && t0 + 100_000 - t <= TICK_LAG_US, "a board at {t} µs after the step");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(fleet.board_times(), stepped, "every board paused again");

    // A step from one board's view moves the whole fleet.
    let (_, stepped) = fleet.post("/api/boards/node-a/clock/step", json!({ "ms": 50 })).await;
    assert_eq!(stepped["time_us"], t0 + 150_000);
    assert_eq!(fleet.post("/api/fleet/clock/step", json!({ "ms": -1 })).await.0, 400);
    assert_eq!(fleet.post("/api/fleet/clock", json!({ "speed": "x3" })).await.0, 422);
    fleet.post("/api/fleet/clock", json!({ "paused": false })).await;
    eventually("the fleet running again", async || fleet.fleet_time().await > t0 + 150_000).await;
    fleet.post("/api/fleet/clock", json!({ "paused": true })).await;
}

#[tokio::test]
async fn at_real_time_speed_a_fleets_device_time_keeps_to_the_wall_clock() {
    let fleet = run_fleet(&["node-a", "node-b"], TICKING);
    for name in ["node-a", "node-b"] {
        fleet.console_shows(name, "ticking").await;
    }
    let (_, clock) = fleet.post("/api/fleet/clock", json!({ "speed": "realtime" })).await;
    assert_eq!((clock["speed"].clone(), clock["paused"].clone()), (json!("realtime"), json!(false)));
    let (t0, wall) = (fleet.fleet_time().await, Instant::now());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let moved = fleet.fleet_time().await - t0;
    let wall = wall.elapsed().as_micros() as u64;
    assert!(moved * 10 >= wall * 7 && moved * 10 <= wall * 13, "{moved} µs of device time in {wall} µs of wall time");
    for t in fleet.board_times() {
        assert!((t0 + moved).saturating_sub(t) <= TICK_LAG_US + 60_000, "every board keeps up: one at {t} µs");
    }
    fleet.post("/api/fleet/clock", json!({ "speed": "max" })).await;
    let t1 = fleet.fleet_time().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let moved = fleet.fleet_time().await - t1;
    assert!(moved > 1_000_000, "as fast as possible: only {moved} µs in 300 ms");
    fleet.post("/api/fleet/clock", json!({ "paused": true })).await;
}

#[tokio::test]
async fn a_fleets_index_names_each_board_its_model_led_device_time_and_boots_in_the_fleets_order() {
    let fleet = serve_fleet("127.0.0.1:0", Access::Open);
    fleet.boards[0].0.lock().unwrap().set_heartbeat(false);
    fleet.boards[0].0.lock().unwrap().set_rgbled(0xff0000).unwrap();
    eventually("node-a's LED turning red", async || fleet.json("/api/boards").await[0]["led"] == "#ff0000").await;
    let index = fleet.json("/api/boards").await;
    assert_eq!(index[0]["name"], "node-a");
    assert_eq!(index[0]["model"], "lopy4");
    assert_eq!(index[0]["model_name"], "LoPy4");
    assert_eq!(index[0]["boots"], 1);
    assert_eq!(index[0]["heartbeat"], false);
    assert!(index[0]["time_us"].is_u64());
    assert_eq!(index[1]["name"], "node-b");
    assert_eq!(index[1]["model"], "fipy");
    assert_eq!(index[1]["heartbeat"], true, "the heartbeat is on at boot");
    assert_eq!(index.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn each_board_of_a_fleet_has_the_one_board_api_under_its_name() {
    let fleet = serve_fleet("127.0.0.1:0", Access::Open);
    assert_eq!(fleet.json("/api/boards/node-b/board").await["model"], "fipy");
    fleet.boards[1].0.lock().unwrap().set_heartbeat(false);
    fleet.boards[1].0.lock().unwrap().set_rgbled(0x0000ff).unwrap();
    eventually("node-b's LED turning blue", async || fleet.json("/api/boards/node-b/state").await["led"] == "#0000ff")
        .await;
    assert_eq!(fleet.json("/api/boards/node-a/state").await["heartbeat"], true, "node-a is left as it booted");
    fleet.boards[0].1.send(b"a says hi\r\n".to_vec()).unwrap();
    let console = async |name: &str| {
        let response = fleet.client.get(fleet.url(&format!("/api/boards/{name}/console"))).send().await.unwrap();
        response.text().await.unwrap()
    };
    eventually("node-a's output kept", async || console("node-a").await == "a says hi\r\n").await;
    assert_eq!(console("node-b").await, "");
    let missing = |path: &str| fleet.client.get(fleet.url(path)).send();
    assert_eq!(missing("/api/board").await.unwrap().status(), 404, "a fleet's boards have names");
    assert_eq!(missing("/api/boards/node-c/state").await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_board_that_deep_sleeps_and_reboots_stays_in_view_with_its_output_and_boots_counted() {
    let fleet = serve_fleet("127.0.0.1:0", Access::Open);
    let (board, output) = &fleet.boards[0];
    output.send(b"boot 1\r\n".to_vec()).unwrap();
    for boot in 2..=3 {
        board.lock().unwrap().deep_sleep(Some(1_000_000), None);
        board.lock().unwrap().boot(BootKind::Hard(ResetCause::DeepSleep)).unwrap();
        output.send(format!("boot {boot}\r\n").into_bytes()).unwrap();
    }
    board.lock().unwrap().set_heartbeat(false);
    board.lock().unwrap().set_rgbled(0x00ff00).unwrap();
    eventually("the third boot counted", async || fleet.json("/api/boards/node-a/state").await["boots"] == 3).await;
    assert_eq!(fleet.json("/api/boards/node-a/state").await["led"], "#00ff00");
    assert!(fleet.json("/api/boards/node-a/state").await["time_us"].as_u64().unwrap() >= 2_000_000);
    let console = fleet.client.get(fleet.url("/api/boards/node-a/console")).send().await.unwrap();
    assert_eq!(console.text().await.unwrap(), "boot 1\r\nboot 2\r\nboot 3\r\n");
    assert_eq!(fleet.json("/api/boards").await[0]["boots"], 3);
}

#[tokio::test]
async fn the_fleets_events_send_each_boards_summary_then_its_changes() {
    let fleet = serve_fleet("127.0.0.1:0", Access::Open);
    let mut events = fleet.client.get(fleet.url("/api/fleet/events")).send().await.unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    let start = Instant::now();
    let mut lit = false;
    while !seen.contains("\"led\":\"#ff00ff\"") {
        assert!(start.elapsed() < Duration::from_secs(2), "events so far: {seen}");
        if !lit && seen.contains("\"name\":\"node-a\"") && seen.contains("\"name\":\"node-b\"") {
            fleet.boards[1].0.lock().unwrap().set_heartbeat(false);
            fleet.boards[1].0.lock().unwrap().set_rgbled(0xff00ff).unwrap();
            lit = true;
        }
        let chunk = tokio::time::timeout(Duration::from_secs(2), events.chunk()).await.unwrap().unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.starts_with("event: board\ndata: {"), "{seen}");
    assert!(lit, "node-b's change came after both boards' summaries");
}

#[tokio::test]
async fn without_its_token_a_non_loopback_fleet_view_answers_401_and_changes_nothing() {
    let fleet = serve_fleet("0.0.0.0:0", Access::for_address("0.0.0.0:0".parse().unwrap()).unwrap());
    let Access::Token(token) = fleet.server.access.clone() else { panic!("0.0.0.0 needs a token") };
    let client = &fleet.client;
    let refused = [
        client.get(fleet.url("/api/boards")),
        client.get(fleet.url("/api/fleet/events")),
        client.get(fleet.url("/api/boards/node-a/state")),
        client.get(fleet.url("/api/boards/node-a/events")),
        client.put(fleet.url("/api/boards/node-b/nvs/k")).json(&json!({ "value": 1 })),
        client.get(fleet.url("/api/boards")).bearer_auth("wrong"),
        client.get(fleet.url("/api/fleet/clock")),
        client.post(fleet.url("/api/fleet/clock")).json(&json!({ "paused": true })),
        client.post(fleet.url("/api/fleet/clock/step")).json(&json!({ "ms": 100 })),
    ];
    for request in refused {
        assert_eq!(request.send().await.unwrap().status(), 401);
    }
    assert!(fleet.boards[1].0.lock().unwrap().with_nvs(|nvs, flash| nvs.get(flash, b"k")).is_err());
    assert!(!fleet.boards[0].0.lock().unwrap().clock().control().paused(), "the fleet's clock runs");
    assert_eq!(client.get(fleet.url("/?board=node-a")).send().await.unwrap().status(), 200);
    assert_eq!(client.get(fleet.url("/api/boards")).bearer_auth(&token).send().await.unwrap().status(), 200);
    let with_query = client.get(fleet.url(&format!("/api/boards/node-a/state?token={token}")));
    assert_eq!(with_query.send().await.unwrap().status(), 200);
}

#[test]
fn a_fleets_board_names_must_stand_in_an_address_and_differ() {
    for names in [["a/b", "c"], ["a b", "c"], ["", "c"], ["same", "same"]] {
        let boards = fleet_boards(&[(names[0], BoardModel::Lopy4), (names[1], BoardModel::Lopy4)]);
        let boards = boards.into_iter().map(|(name, web, _)| (name, web)).collect();
        let refused = pycom_web::start_fleet("127.0.0.1:0".parse().unwrap(), boards, Access::Open);
        assert!(
            matches!(refused, Err(pycom_web::WebError::BoardName(ref name)) if name == names[0] || name == names[1]),
            "{names:?}"
        );
    }
}
