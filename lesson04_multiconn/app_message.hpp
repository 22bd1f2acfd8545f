// app_message.hpp — the application protocol of lecture 002 ("Application Client and Server",
// libclient.py / libserver.py), shared by app_server and app_client.
//
// One message on the wire:
//
//   +---------+----------------------------------------------+-------------------+
//   | 2 bytes | JSON header, UTF-8, that many bytes          | content           |
//   | length  | {"byteorder": "little",                      | content-length    |
//   | big-end.|  "content-type": "text/json",                | bytes             |
//   |         |  "content-encoding": "utf-8",                |                   |
//   |         |  "content-length": 41}                       |                   |
//   +---------+----------------------------------------------+-------------------+
//
// Watch for: TCP hands us a byte stream, so a message arrives in any number of recv() pieces.
// MessageReader is the lecture's process_protoheader → process_jsonheader → process_request
// chain: each stage waits until the buffer holds its part, takes it off the front, and hands
// over to the next. Everything the peer says is checked and bounded (header length, content
// length), and a lie surfaces as a ProtocolError that closes that one connection.
#pragma once

#include "app_python.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace app {

// The peer broke the protocol; what() is the reason the server logs before closing.
class ProtocolError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What a receiver accepts. The 2-byte prefix could announce a 65535-byte header; nobody needs
// that, and a bound on both parts is what keeps one client from eating the server's memory.
struct Limits {
    std::size_t max_header = 4096;
    std::size_t max_content = 1024 * 1024;
};

struct Message {
    Json header;          // the JSON header, keys in the order the sender wrote them
    std::string content;  // exactly content-length bytes

    const std::string& content_type() const { return header["content-type"].get_ref<const std::string&>(); }
    const std::string& content_encoding() const { return header["content-encoding"].get_ref<const std::string&>(); }
};

// _create_message(): prefix + JSON header + content, the header written as json.dumps writes it.
std::string create_message(std::string_view content, const std::string& content_type, const std::string& content_encoding);

// _json_decode(): the content of a text/json message. Throws ProtocolError.
Json json_decode(std::string_view bytes, const std::string& encoding);

// Collects one message from recv() pieces.
class MessageReader {
public:
    explicit MessageReader(Limits limits = {}) : limits_(limits) {}

    // Appends what recv() returned and parses as far as it can; true once the message is whole.
    // Bytes that arrive after the end of the message are counted in extra(), never parsed.
    bool feed(std::string_view bytes);
    bool complete() const { return stage_ == Stage::done; }
    bool started() const { return stage_ != Stage::protoheader || !buffer_.empty(); }
    const Message& message() const { return message_; }
    std::size_t extra() const { return extra_; }
    // Where the message stopped, for the log when the peer vanishes: "12 of 100 JSON header bytes".
    std::string progress() const;

private:
    enum class Stage { protoheader, jsonheader, content, done };
    void process_protoheader();
    void process_jsonheader();
    void process_content();

    Limits limits_;
    Stage stage_ = Stage::protoheader;
    std::string buffer_;
    std::size_t jsonheader_len_ = 0;
    std::size_t content_len_ = 0;
    std::size_t extra_ = 0;
    Message message_;
};

}  // namespace app
