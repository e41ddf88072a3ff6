//! The CommBox routes: auth, bodies, validation, reads, routing.

mod common;

use commbox_mock::{MockConfig, MockServer};
use common::{authed, body, client, error_description, sha256_hex};
use reqwest::blocking::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

fn create_object(mock: &MockServer, stream: &str, data: Value) -> u64 {
    let client = client();
    let response = authed(
        &client,
        mock,
        Method::POST,
        &format!("/streams/{stream}/objects"),
    )
    .json(&json!({ "data": data }))
    .send()
    .unwrap();
    let (status, value) = body(response);
    assert_eq!(status, 200, "{value}");
    value["data"]["id"].as_u64().unwrap()
}

fn post_json(mock: &MockServer, path: &str, value: Value) -> (u16, Value) {
    let client = client();
    body(
        authed(&client, mock, Method::POST, path)
            .json(&value)
            .send()
            .unwrap(),
    )
}

#[test]
fn missing_or_wrong_key_is_401_envelope() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let (status, value) = body(
        client
            .get(format!("{}/managers", mock.url()))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 401);
    assert_eq!(error_description(401, &value), "Unauthorized access");

    let response = client
        .post(format!("{}/streams/s/objects", mock.url()))
        .bearer_auth("wrong")
        .json(&json!({"Message": "hi"}))
        .send()
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(body(response).0, 401);
    assert!(mock.objects().is_empty());

    // Custom key; the default one no longer works.
    let custom = MockServer::start_with(MockConfig {
        api_key: "other".into(),
        ..MockConfig::default()
    })
    .unwrap();
    assert_eq!(custom.api_key(), "other");
    let response = client
        .get(format!("{}/managers", custom.url()))
        .bearer_auth(commbox_mock::DEFAULT_API_KEY)
        .send()
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = client
        .get(format!("{}/managers", custom.url()))
        .bearer_auth("other")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);

    // The token is never recorded.
    let recorded = mock.requests();
    assert_eq!(recorded[1].headers["authorization"], "Bearer ***");
    assert_eq!(recorded[1].status, 401);
}

#[test]
fn create_object_with_json_wrapped_and_bare() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let response = authed(&client, &mock, Method::POST, "/streams/532/objects")
        .json(&json!({"data": {"Type": 5, "StatusId": 13, "Message": "hello", "Content": {"to": [{"address": "a@b.c"}]}}}))
        .send()
        .unwrap();
    assert!(response.headers().contains_key("x-request-id"));
    assert!(response.headers().contains_key("x-mock-request-id"));
    let (status, value) = body(response);
    assert_eq!(status, 200);
    assert_eq!(value["status"], 200);
    assert_eq!(value["description"], "OK");
    common::assert_response_time(&value);
    assert_eq!(value["data"], json!({"id": 100001}));

    let (status, value) = post_json(
        &mock,
        "/streams/532/objects",
        json!({"Message": "bare", "Type": "4"}),
    );
    assert_eq!(status, 200);
    assert_eq!(value["data"]["id"], 100002);

    let objects = mock.objects();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0].stream_id, "532");
    assert_eq!(objects[0].status_id, 13);
    assert_eq!(objects[0].data["Message"], "hello");
    assert_eq!(objects[1].status_id, 1);
    assert_eq!(objects[1].data, json!({"Message": "bare", "Type": "4"}));

    let recorded = mock.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].seq, 1);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(
        recorded[0].content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(
        recorded[0].json.as_ref().unwrap()["data"]["Message"],
        "hello"
    );
    assert!(recorded[0].body_size > 0);
    assert_eq!(recorded[0].status, 200);
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn create_object_with_form() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let data = json!({"Message": "via form", "Type": 4}).to_string();
    let (status, value) = body(
        authed(&client, &mock, Method::POST, "/streams/s/objects")
            .form(&[("data", data.as_str())])
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{value}");
    assert_eq!(mock.objects()[0].data["Message"], "via form");
    let recorded = &mock.requests()[0];
    assert_eq!(
        recorded.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        recorded.json,
        Some(json!({"Message": "via form", "Type": 4}))
    );
    assert!(recorded.parts.is_empty());
}

#[test]
fn create_object_with_multipart_files() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let pdf = b"%PDF-1.4 fake".repeat(1000);
    let xlsx: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let data = json!({"Type": 5, "Message": "with files"}).to_string();
    let form = Form::new()
        .part(
            "data",
            Part::text(data.clone())
                .mime_str("application/json")
                .unwrap(),
        )
        .part(
            "file",
            Part::bytes(pdf.clone())
                .file_name("a.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
        .part("file", Part::bytes(xlsx.clone()).file_name("b.xlsx"));
    let (status, value) = body(
        authed(&client, &mock, Method::POST, "/streams/s/objects")
            .multipart(form)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{value}");

    let recorded = &mock.requests()[0];
    assert_eq!(
        recorded.content_type.as_deref(),
        Some("multipart/form-data")
    );
    assert_eq!(
        recorded.json,
        Some(json!({"Type": 5, "Message": "with files"}))
    );
    assert_eq!(recorded.parts.len(), 3);
    assert_eq!(recorded.parts[0].name, "data");
    assert_eq!(recorded.parts[0].filename, None);
    assert_eq!(recorded.parts[0].size, data.len() as u64);
    assert_eq!(recorded.parts[1].filename.as_deref(), Some("a.pdf"));
    assert_eq!(
        recorded.parts[1].content_type.as_deref(),
        Some("application/pdf")
    );
    assert_eq!(recorded.parts[1].size, pdf.len() as u64);
    assert_eq!(recorded.parts[1].sha256, sha256_hex(&pdf));
    assert_eq!(recorded.parts[2].sha256, sha256_hex(&xlsx));
    assert!(recorded.body_size > (pdf.len() + xlsx.len()) as u64);

    let object = &mock.objects()[0];
    assert_eq!(object.attachments.len(), 2);
    assert_eq!(object.attachments[0].name, "a.pdf");
    assert_eq!(object.attachments[0].size, pdf.len() as u64);
    assert_eq!(object.attachments[0].sha256, sha256_hex(&pdf));
    assert_eq!(object.attachments[1].name, "b.xlsx");
    // No content type sent: guessed from the extension.
    assert_eq!(
        object.attachments[1].content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(object.attachments[1].sha256, sha256_hex(&xlsx));
}

#[test]
fn create_child_in_every_encoding() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let id = create_object(&mock, "s", json!({"Message": "start"}));
    let path = format!("/streams/s/objects/{id}/child");

    let (status, value) = post_json(
        &mock,
        &path,
        json!({"data": {"Type": 4, "UserStreamProviderId": "MrDoe@gmail.com", "UserStreamProviderType": 4, "Message": "customer"}}),
    );
    assert_eq!(status, 200, "{value}");
    assert_eq!(value["data"]["id"], 500001);

    let data = json!({"IsManager": true, "UserIdentity": 36574658, "Message": "agent"}).to_string();
    let (status, value) = body(
        authed(&client, &mock, Method::POST, &path)
            .form(&[("data", data.as_str())])
            .send()
            .unwrap(),
    );
    assert_eq!((status, value["data"]["id"].as_u64()), (200, Some(500002)));

    // Files only, one real and one in the base64 form: no Message needed.
    let form = Form::new()
        .text("data", json!({"Type": 4}).to_string())
        .part(
            "file",
            Part::bytes(b"PNGDATA".to_vec()).file_name("pic.png"),
        )
        .text("file", "filename:note.txt;base64:aGVsbG8=");
    let (status, value) = body(
        authed(&client, &mock, Method::POST, &path)
            .multipart(form)
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, value["data"]["id"].as_u64()),
        (200, Some(500003)),
        "{value}"
    );

    let children = &mock.objects()[0].children;
    assert_eq!(children.len(), 3);
    assert_eq!(children[0].data["Message"], "customer");
    assert_eq!(children[1].data["IsManager"], true);
    let files = &children[2].attachments;
    assert_eq!(files.len(), 2);
    assert_eq!(
        (files[0].name.as_str(), files[0].content_type.as_str()),
        ("pic.png", "image/png")
    );
    assert_eq!(files[0].sha256, sha256_hex(b"PNGDATA"));
    assert_eq!(
        (files[1].name.as_str(), files[1].content_type.as_str()),
        ("note.txt", "text/plain")
    );
    assert_eq!(
        (files[1].size, files[1].sha256.clone()),
        (5, sha256_hex(b"hello"))
    );
}

#[test]
fn validation_errors_are_400_envelopes() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let id = create_object(&mock, "s", json!({"Message": "start"}));
    let child = format!("/streams/s/objects/{id}/child");
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/streams/s/objects",
            json!({"data": {"Type": 4}}),
            "Message is required",
        ),
        (
            "/streams/s/objects",
            json!({"Message": ""}),
            "Message is required",
        ),
        (
            "/streams/s/objects",
            json!({"Message": 5}),
            "Message is required",
        ),
        (
            "/streams/s/objects",
            json!({"Message": "m", "Type": "five"}),
            "Type must be an integer",
        ),
        (
            "/streams/s/objects",
            json!({"Message": "m", "StreamProviderType": 4.5}),
            "StreamProviderType must be an integer",
        ),
        (
            "/streams/s/objects",
            json!({"Message": "m", "UserStreamProviderType": true}),
            "UserStreamProviderType must be an integer",
        ),
        (
            "/streams/s/objects",
            json!({"Message": "m", "ManagerId": "x"}),
            "ManagerId must be an integer",
        ),
        (
            "/streams/s/objects",
            json!({"Message": "m", "UserIdentity": [1]}),
            "UserIdentity must be an integer",
        ),
        (
            "/streams/s/objects",
            json!({"Message": "m", "SubStreamId": {}}),
            "SubStreamId must be an integer",
        ),
        (
            "/streams/s/objects",
            json!({"Message": "m", "Content": {"to": "a@b.c"}}),
            "Content.to must be an array",
        ),
        ("/streams/s/objects", json!([1, 2]), "Invalid request body"),
        (&child, json!({"Type": 4}), "Message is required"),
        (
            &child,
            json!({"Message": "m", "IsManager": "yes"}),
            "IsManager must be a boolean",
        ),
        (
            &child,
            json!({"Message": "m", "IsManager": true}),
            "UserIdentity is required for manager messages",
        ),
        (
            &child,
            json!({"Message": "m", "UserStreamProviderType": "email"}),
            "UserStreamProviderType must be an integer",
        ),
    ];
    for (path, value, expected) in cases {
        let (status, answer) = post_json(&mock, path, value.clone());
        assert_eq!(status, 400, "{value}: {answer}");
        assert_eq!(error_description(400, &answer), expected, "{value}");
    }

    // Unparseable bodies in each encoding.
    let send = |builder: reqwest::blocking::RequestBuilder| body(builder.send().unwrap());
    let (status, answer) = send(
        authed(&client, &mock, Method::POST, "/streams/s/objects")
            .header("content-type", "application/json")
            .body("{not json"),
    );
    assert_eq!(
        (status, error_description(400, &answer)),
        (400, "Invalid request body".into())
    );
    let (status, answer) = send(authed(&client, &mock, Method::POST, "/streams/s/objects"));
    assert_eq!(
        (status, error_description(400, &answer)),
        (400, "Invalid request body".into())
    );
    let (status, answer) =
        send(authed(&client, &mock, Method::POST, "/streams/s/objects").form(&[("other", "1")]));
    assert_eq!(
        (status, error_description(400, &answer)),
        (400, "Invalid request body".into())
    );
    let form = Form::new().part("file", Part::bytes(vec![1, 2, 3]).file_name("x.bin"));
    let (status, answer) =
        send(authed(&client, &mock, Method::POST, "/streams/s/objects").multipart(form));
    assert_eq!(
        (status, error_description(400, &answer)),
        (400, "data part is required".into())
    );
    let form = Form::new()
        .text("data", r#"{"Message":"m"}"#)
        .text("file", "filename:x.txt;base64:@@@");
    let (status, answer) = send(authed(&client, &mock, Method::POST, &child).multipart(form));
    assert_eq!(
        (status, error_description(400, &answer)),
        (400, "Invalid base64 file".into())
    );
    let (status, answer) = send(
        authed(&client, &mock, Method::POST, "/streams/s/objects")
            .header("content-type", "multipart/form-data; boundary=XYZ")
            .body("garbage"),
    );
    assert_eq!(
        (status, error_description(400, &answer)),
        (400, "Invalid request body".into())
    );

    // Nothing invalid was stored; every request was recorded with its status.
    assert_eq!(mock.objects().len(), 1);
    assert!(mock.objects()[0].children.is_empty());
    assert!(mock.requests()[1..].iter().all(|r| r.status == 400));
}

#[test]
fn unknown_things_are_404_and_wrong_methods_501() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let id = create_object(&mock, "s1", json!({"Message": "start"}));

    // Unknown path, with or without a key.
    let (status, value) = body(client.get(format!("{}/nope", mock.url())).send().unwrap());
    assert_eq!(
        (status, error_description(404, &value)),
        (404, "Not Found".into())
    );
    let (status, _) = body(
        authed(&client, &mock, Method::GET, "/streams/s1")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);

    // Unknown object, object of another stream, non-numeric id.
    for path in [
        format!("/streams/s1/objects/{}", id + 1000),
        format!("/streams/other/objects/{id}"),
        "/streams/s1/objects/abc".to_owned(),
    ] {
        let (status, value) = body(authed(&client, &mock, Method::GET, &path).send().unwrap());
        assert_eq!(
            (status, error_description(404, &value)),
            (404, "Not Found".into()),
            "{path}"
        );
    }
    let (status, _) = post_json(
        &mock,
        &format!("/streams/other/objects/{id}/child"),
        json!({"Message": "m"}),
    );
    assert_eq!(status, 404);
    let (status, _) = post_json(
        &mock,
        "/streams/s1/objects/999/child",
        json!({"Message": "m"}),
    );
    assert_eq!(status, 404);
    let (status, _) = body(
        authed(&client, &mock, Method::POST, "/objects/999/status/2")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);

    // Known paths, wrong method.
    for (method, path) in [
        (Method::DELETE, "/managers".to_owned()),
        (Method::POST, "/core/systemstatus".to_owned()),
        (Method::GET, "/streams/s1/objects".to_owned()),
        (Method::PUT, format!("/streams/s1/objects/{id}")),
    ] {
        let (status, value) = body(authed(&client, &mock, method, &path).send().unwrap());
        assert_eq!(
            (status, error_description(501, &value)),
            (501, "Not Implemented".into()),
            "{path}"
        );
    }
    assert!(mock
        .requests()
        .iter()
        .all(|r| r.status == 404 || r.status == 501 || r.status == 200));
}

#[test]
fn get_object_returns_an_array_with_or_without_children() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let id = create_object(
        &mock,
        "s",
        json!({
            "Type": 5, "StatusId": 1, "StreamProviderType": 4, "SubStreamId": "77", "ManagerId": 12345,
            "UserStreamProviderId": "john@x.com", "UserStreamProviderType": 4,
            "Content": {"subject": "hi", "to": [{"address": "john@x.com"}]},
            "Message": "first",
            "User": {"UniqueId": "0123", "FirstName": "John", "LastName": "Doe", "Phone1": "050", "Email": "john@x.com", "Remarks": "r"}
        }),
    );
    let get = |query: &str| {
        let (status, value) = body(
            authed(
                &client,
                &mock,
                Method::GET,
                &format!("/streams/s/objects/{id}{query}"),
            )
            .send()
            .unwrap(),
        );
        assert_eq!(status, 200, "{value}");
        let data = value["data"].as_array().expect("data is an array").clone();
        assert_eq!(data.len(), 1);
        data[0].clone()
    };

    let object = get("");
    assert_eq!(object["objectId"], id);
    assert_eq!(object["streamId"], "s");
    assert_eq!(object["subStreamId"], 77);
    assert_eq!(object["statusId"], 1);
    assert_eq!(object["type"], 5);
    assert_eq!(object["isManager"], true);
    assert_eq!(object["message"], "first");
    assert_eq!(object["streamProviderType"], 4);
    assert_eq!(object["createdTime"].as_str().unwrap().len(), 28);
    assert_eq!(
        object["user"],
        json!({"uniqueId": "0123", "firstName": "John", "lastName": "Doe", "phone1": "050", "email": "john@x.com", "remarks": "r"})
    );
    let content: Value =
        serde_json::from_str(object["content"].as_str().expect("content is a string")).unwrap();
    assert_eq!(content["subject"], "hi");
    assert_eq!(object["attachments"], json!([]));
    assert_eq!(object["childs"], json!([]));

    let child_path = format!("/streams/s/objects/{id}/child");
    post_json(
        &mock,
        &child_path,
        json!({"Type": 4, "UserStreamProviderId": "john@x.com", "UserStreamProviderType": 4, "Message": "c1"}),
    );
    post_json(
        &mock,
        &child_path,
        json!({"IsManager": true, "UserIdentity": 36574658, "UserStreamProviderId": "best.agent@commbox.com", "UserStreamProviderType": 4, "Message": "c2"}),
    );

    let last_only = get("?includeChilds=false&includeActivityLog=true");
    let childs = last_only["childs"].as_array().unwrap();
    assert_eq!(childs.len(), 1);
    assert_eq!(childs[0]["message"], "c2");

    let all = get("?includeChilds=true");
    let childs = all["childs"].as_array().unwrap();
    assert_eq!(childs.len(), 2);
    assert_eq!(childs[0]["id"], 500001);
    assert_eq!(childs[0]["object_id"], id);
    assert_eq!(childs[0]["message"], "c1");
    assert_eq!(childs[0]["content"], Value::Null);
    assert_eq!(childs[0]["isManager"], false);
    assert_eq!(childs[0]["streamProviderType"], 4);
    assert_eq!(
        childs[0]["user"],
        json!({"id": null, "managerId": null, "isManager": false, "identity": {"streamProviderId": "john@x.com", "streamProviderType": 4}})
    );
    assert_eq!(childs[1]["isManager"], true);
    assert_eq!(childs[1]["user"]["id"], 36574658);
    assert_eq!(childs[1]["user"]["managerId"], 36574658);
    assert_eq!(
        mock.requests().last().unwrap().query.as_deref(),
        Some("includeChilds=true")
    );

    let (status, _) = body(
        authed(
            &client,
            &mock,
            Method::GET,
            &format!("/streams/s/objects/{id}?includeChilds=maybe"),
        )
        .send()
        .unwrap(),
    );
    assert_eq!(status, 400);
}

#[test]
fn set_status_changes_the_stored_status() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let id = create_object(&mock, "s", json!({"Message": "m"}));
    let (status, value) = body(
        authed(
            &client,
            &mock,
            Method::POST,
            &format!("/objects/{id}/status/2"),
        )
        .send()
        .unwrap(),
    );
    assert_eq!(status, 200);
    assert_eq!(value["data"], Value::Null);
    assert!(value.as_object().unwrap().contains_key("data"));
    assert_eq!(mock.objects()[0].status_id, 2);

    for bad in ["12", "0", "16", "open", "-1"] {
        let (status, value) = body(
            authed(
                &client,
                &mock,
                Method::POST,
                &format!("/objects/{id}/status/{bad}"),
            )
            .send()
            .unwrap(),
        );
        assert_eq!(
            (status, error_description(400, &value)),
            (400, "Invalid status".into()),
            "{bad}"
        );
    }
    assert_eq!(mock.objects()[0].status_id, 2);
}

#[test]
fn managers_and_system_status() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let (status, value) = body(
        authed(&client, &mock, Method::GET, "/managers")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    let managers = value["data"].as_array().unwrap();
    assert_eq!(managers.len(), 3);
    for field in [
        "id",
        "identityId",
        "streamProviderId",
        "brandId",
        "permissionId",
        "firstName",
        "lastName",
        "email",
        "userName",
        "team",
        "teamId",
        "teamName",
        "profiles",
        "maxSyncObjectsAssignments",
        "maxAsyncObjectsAssignments",
    ] {
        assert!(managers.iter().all(|m| m.get(field).is_some()), "{field}");
    }
    assert_eq!(managers[0]["id"], 36574658);
    assert_eq!(managers[0]["email"], "best.agent@commbox.com");
    assert_eq!(managers[0]["permissionId"], 2);
    assert!(managers.iter().any(|m| m["permissionId"] == 3));

    let (status, value) = body(
        authed(&client, &mock, Method::GET, "/core/systemstatus")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert_eq!(value["status"], "200");
    assert_eq!(value["description"], "System is operational");
    assert_eq!(value["data"], Value::Null);
    common::assert_response_time(&value);
}

#[test]
fn stream_ids_are_decoded_but_paths_recorded_raw() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let id = create_object(&mock, "abc%3D%3D", json!({"Message": "m"}));
    let slash = create_object(&mock, "a%2Fb", json!({"Message": "m"}));
    let objects = mock.objects();
    assert_eq!(objects[0].stream_id, "abc==");
    assert_eq!(objects[1].stream_id, "a/b");
    let recorded = mock.requests();
    assert_eq!(recorded[0].path, "/streams/abc%3D%3D/objects");
    assert_eq!(recorded[1].path, "/streams/a%2Fb/objects");

    // The decoded id is what identifies the stream, however it is encoded.
    for path in [
        format!("/streams/abc%3D%3D/objects/{id}"),
        format!("/streams/abc%3d%3d/objects/{id}"),
    ] {
        let (status, value) = body(authed(&client, &mock, Method::GET, &path).send().unwrap());
        assert_eq!(status, 200, "{path}");
        assert_eq!(value["data"][0]["streamId"], "abc==");
    }
    let (status, _) = body(
        authed(
            &client,
            &mock,
            Method::GET,
            &format!("/streams/a%2Fb/objects/{slash}"),
        )
        .send()
        .unwrap(),
    );
    assert_eq!(status, 200);
    let (status, _) = post_json(
        &mock,
        &format!("/streams/a%2Fb/objects/{slash}/child"),
        json!({"Message": "m"}),
    );
    assert_eq!(status, 200);
}

#[test]
fn inspection_endpoints_over_http() {
    let mock = MockServer::start().unwrap();
    let client = client();
    let id = create_object(&mock, "s", json!({"Message": "m"}));
    post_json(
        &mock,
        &format!("/streams/s/objects/{id}/child"),
        json!({"Message": "c"}),
    );

    let (status, value) = body(
        client
            .get(format!("{}/__mock/health", mock.url()))
            .send()
            .unwrap(),
    );
    assert_eq!((status, value), (200, json!({"ok": true})));

    let (_, requests) = body(
        client
            .get(format!("{}/__mock/requests", mock.url()))
            .send()
            .unwrap(),
    );
    let requests: Vec<commbox_mock::RecordedRequest> = serde_json::from_value(requests).unwrap();
    assert_eq!(requests, mock.requests());
    assert_eq!(requests.len(), 2, "inspection calls are not recorded");

    let (_, objects) = body(
        client
            .get(format!("{}/__mock/objects", mock.url()))
            .send()
            .unwrap(),
    );
    assert_eq!(objects[0]["id"], id);
    assert_eq!(objects[0]["stream_id"], "s");
    assert_eq!(objects[0]["status_id"], 1);
    assert_eq!(objects[0]["children"][0]["data"], json!({"Message": "c"}));
    let objects: Vec<commbox_mock::StoredObject> = serde_json::from_value(objects).unwrap();
    assert_eq!(objects, mock.objects());

    let (status, value) = body(
        client
            .post(format!("{}/__mock/reset", mock.url()))
            .send()
            .unwrap(),
    );
    assert_eq!((status, value), (200, json!({"reset": true})));
    assert!(mock.objects().is_empty());
    assert_eq!(mock.request_count(), 0);

    // Ids keep increasing after a reset; seq starts again.
    let next = create_object(&mock, "s", json!({"Message": "m"}));
    assert_eq!(next, id + 1);
    assert_eq!(mock.requests()[0].seq, 1);
    mock.reset();
    assert!(mock.objects().is_empty());
}
