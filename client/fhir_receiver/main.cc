// sprout-fhir-receiver: a small FHIR message receiver for trying and
// testing Sprout's message back to referrers. It listens for HTTPS with
// mutual TLS (the client must present a certificate from --ca), takes
// POST {any path} with a FHIR message Bundle, saves each one as
// {out_dir}/{MessageHeader.id}.json (a repeat overwrites: the id is the
// message's), prints one line per message (its id, the Task's status and
// outcome codes; never the patient) and answers --status.
//
//   sprout-fhir-receiver --listen 127.0.0.1:9443 --out_dir var/received
#include <httplib.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "nlohmann/json.hpp"

namespace {

using nlohmann::json;

// "id task-status [outcome codes]" from a message Bundle; "" when it is not one.
std::string Describe(const json& bundle, std::string* id) {
  if (!bundle.is_object() || bundle.value("resourceType", "") != "Bundle" ||
      !bundle.contains("entry") || !bundle["entry"].is_array()) {
    return "";
  }
  std::string line;
  std::string task_status = "-";
  std::string outcomes;
  for (const json& entry : bundle["entry"]) {
    if (!entry.is_object() || !entry.contains("resource")) continue;
    const json& r = entry["resource"];
    if (!r.is_object()) continue;
    const std::string type = r.value("resourceType", "");
    if (type == "MessageHeader") *id = r.value("id", "");
    if (type == "Task") {
      task_status = r.value("status", "-");
      if (r.contains("output") && r["output"].is_array()) {
        for (const json& output : r["output"]) {
          if (output.contains("valueCodeableConcept")) {
            outcomes += " " + output["valueCodeableConcept"]["coding"][0].value("code", "");
          }
        }
      }
    }
  }
  if (id->empty()) return "";
  return *id + " task " + task_status + (outcomes.empty() ? "" : " outcome" + outcomes);
}

std::atomic<httplib::Server*> running{nullptr};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A FHIR message receiver with mutual TLS, for Sprout's message back"};
  std::string listen = "127.0.0.1:9443";
  std::string cert = "certs/out/server.pem";
  std::string key = "certs/out/server.key";
  std::string ca = "certs/out/ca.pem";
  std::string out_dir = "var/received";
  std::string port_file;
  int status = 200;
  app.add_option("--listen", listen, "host:port to listen on; port 0 picks a free one");
  app.add_option("--cert", cert, "the receiver's certificate (PEM)");
  app.add_option("--key", key, "its private key (PEM)");
  app.add_option("--ca", ca, "the CA client certificates must chain to (PEM)");
  app.add_option("--out_dir", out_dir, "where each message is saved as {id}.json");
  app.add_option("--port_file", port_file, "write the bound port here once listening");
  app.add_option("--status", status, "the HTTP status to answer with (e.g. 503 to refuse)");
  CLI11_PARSE(app, argc, argv);

  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "sprout-fhir-receiver: --listen must be host:port\n";
    return 2;
  }
  std::filesystem::create_directories(out_dir);
  httplib::SSLServer server(cert.c_str(), key.c_str(), ca.c_str());
  if (!server.is_valid()) {
    std::cerr << "sprout-fhir-receiver: cannot use " << cert << ", " << key << " or " << ca << "\n";
    return 2;
  }
  server.Post(".*", [&](const httplib::Request& request, httplib::Response& response) {
    json bundle = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    std::string id;
    const std::string line = Describe(bundle, &id);
    if (line.empty()) {
      response.status = 400;
      response.set_content(R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
                           R"("code":"invalid","diagnostics":"not a FHIR message Bundle"}]})",
                           "application/fhir+json");
      return;
    }
    if (status >= 200 && status < 300) {
      std::ofstream(out_dir + "/" + std::filesystem::path(id).filename().string() + ".json")
          << request.body;
      std::cout << "received " << line << std::endl;
    } else {
      std::cout << "refused " << id << " with HTTP " << status << std::endl;
    }
    response.status = status;
  });
  const std::string host = listen.substr(0, colon);
  const int wanted = std::stoi(listen.substr(colon + 1));
  const int port = wanted == 0 ? server.bind_to_any_port(host) : wanted;
  if (port <= 0 || (wanted != 0 && !server.bind_to_port(host, wanted))) {
    std::cerr << "sprout-fhir-receiver: cannot listen on " << listen << "\n";
    return 2;
  }
  if (!port_file.empty()) std::ofstream(port_file) << port << "\n";
  std::cout << "sprout-fhir-receiver: listening on https://" << host << ":" << port << std::endl;
  running.store(&server);
  std::signal(SIGTERM, [](int) {
    if (httplib::Server* s = running.load()) s->stop();
  });
  std::signal(SIGINT, [](int) {
    if (httplib::Server* s = running.load()) s->stop();
  });
  server.listen_after_bind();
  return 0;
}
