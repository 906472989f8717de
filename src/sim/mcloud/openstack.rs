//! `POST /v1/instance/openstack`: the OpenStack connection settings.

use super::body;
use super::envelope::Reply;
use super::instances::committed;
use super::model::OpenStackConfig;
use super::simulator::Simulator;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::json;
use std::net::IpAddr;
use std::sync::Arc;

fn read(bytes: &[u8]) -> Result<OpenStackConfig, String> {
    let object = body::object(bytes).ok_or("the body must be a JSON object")?;
    let config = OpenStackConfig {
        op_ip: body::req_string(&object, "OpIP")?.trim().to_string(),
        op_port: body::req_string(&object, "OpPort")?.trim().to_string(),
        op_user_name: body::req_string(&object, "OpUserName")?,
        op_password: body::req_string(&object, "OpPassword")?,
    };
    if config.op_ip.parse::<IpAddr>().is_err() {
        return Err(format!("OpIP {:?} is not an IP address", config.op_ip));
    }
    match config.op_port.parse::<u16>() {
        Ok(port) if port > 0 => Ok(config),
        _ => Err(format!("OpPort {:?} is not a port number", config.op_port)),
    }
}

/// Stores the settings; content echoes them.
pub async fn configure(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
    let config = match read(&bytes) {
        Ok(config) => config,
        Err(reason) => return Reply::input_error().with_ext(json!(reason)),
    };
    let correlation = body::correlation_id(&headers);
    sim.with_store(|store, now| {
        store.log(
            correlation.as_deref(),
            "",
            "openstack",
            format!(
                "OpenStack endpoint set to {}:{}",
                config.op_ip, config.op_port
            ),
            now,
        );
        store.cloud.openstack = Some(config.clone());
        store.touch();
    });
    committed(
        &sim,
        Reply::ok(json!(config)),
        "Update openstack config err",
    )
    .await
}
