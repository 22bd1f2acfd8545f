// app_message.cpp — framing and parsing for the lecture 002 application protocol.
#include "app_message.hpp"

#include "common/json.hpp"

#include <bit>

namespace app {

namespace {
std::string byteorder() { return std::endian::native == std::endian::little ? "little" : "big"; }
}  // namespace

std::string create_message(std::string_view content, const std::string& content_type, const std::string& content_encoding)
{
    // The lecture's key order; Python's json.dumps keeps it, so must we.
    const Json jsonheader = {
        {"byteorder", byteorder()},
        {"content-type", content_type},
        {"content-encoding", content_encoding},
        {"content-length", content.size()},
    };
    const std::string header = json_dumps(jsonheader);
    // struct.pack(">H", len): network byte order, most significant byte first.
    std::string message;
    message += static_cast<char>((header.size() >> 8) & 0xFF);
    message += static_cast<char>(header.size() & 0xFF);
    message += header;
    message += content;
    return message;
}

Json json_decode(std::string_view bytes, const std::string& encoding)
{
    // JSON text is UTF-8 (RFC 8259); ASCII is a subset. Anything else we cannot read.
    if (encoding != "utf-8" && encoding != "utf8" && encoding != "ascii")
        throw ProtocolError("unsupported content-encoding '" + encoding + "' for JSON");
    try {
        return netlab::parse_json<Json>(bytes);
    } catch (const netlab::JsonError& e) {
        throw ProtocolError(std::string("invalid JSON: ") + e.what());
    }
}

bool MessageReader::feed(std::string_view bytes)
{
    if (stage_ == Stage::done) {
        extra_ += bytes.size();
        return true;
    }
    buffer_.append(bytes);
    if (stage_ == Stage::protoheader)
        process_protoheader();
    if (stage_ == Stage::jsonheader)
        process_jsonheader();
    if (stage_ == Stage::content)
        process_content();
    if (stage_ == Stage::done) {
        extra_ = buffer_.size();  // the peer sent more than content-length said
        buffer_.clear();
    }
    return complete();
}

void MessageReader::process_protoheader()
{
    constexpr std::size_t hdrlen = 2;
    if (buffer_.size() < hdrlen)
        return;
    jsonheader_len_ = (static_cast<unsigned char>(buffer_[0]) << 8) | static_cast<unsigned char>(buffer_[1]);
    buffer_.erase(0, hdrlen);
    // Checked before a single header byte is awaited: a huge length must not make us wait for it.
    if (jsonheader_len_ > limits_.max_header)
        throw ProtocolError("JSON header length " + std::to_string(jsonheader_len_) + " is over the limit of " +
                            std::to_string(limits_.max_header) + " bytes");
    stage_ = Stage::jsonheader;
}

void MessageReader::process_jsonheader()
{
    if (buffer_.size() < jsonheader_len_)
        return;
    Json header;
    try {
        header = netlab::parse_json<Json>(std::string_view(buffer_).substr(0, jsonheader_len_));
    } catch (const netlab::JsonError& e) {
        throw ProtocolError(std::string("invalid JSON header: ") + e.what());
    }
    buffer_.erase(0, jsonheader_len_);
    if (!header.is_object())
        throw ProtocolError("JSON header is not an object: " + json_dumps(header));
    for (const char* reqhdr : {"byteorder", "content-length", "content-type", "content-encoding"})
        if (!header.contains(reqhdr))
            throw ProtocolError(std::string("Missing required header '") + reqhdr + "'.");  // the lecture's words
    for (const char* text : {"byteorder", "content-type", "content-encoding"})
        if (!header[text].is_string())
            throw ProtocolError(std::string("header '") + text + "' must be a string, not " + json_dumps(header[text]));
    const Json& length = header["content-length"];
    if (!length.is_number_unsigned())
        throw ProtocolError("header 'content-length' must be a whole number of bytes, not " + json_dumps(length));
    if (length.get<std::uint64_t>() > limits_.max_content)
        throw ProtocolError("content-length " + length.dump() + " is over the limit of " + std::to_string(limits_.max_content) +
                            " bytes");
    content_len_ = length.get<std::size_t>();
    message_.header = std::move(header);
    stage_ = Stage::content;
}

void MessageReader::process_content()
{
    if (buffer_.size() < content_len_)
        return;
    message_.content = buffer_.substr(0, content_len_);
    buffer_.erase(0, content_len_);
    stage_ = Stage::done;
}

std::string MessageReader::progress() const
{
    switch (stage_) {
    case Stage::protoheader: return std::to_string(buffer_.size()) + " of 2 header-length bytes";
    case Stage::jsonheader:
        return std::to_string(buffer_.size()) + " of " + std::to_string(jsonheader_len_) + " JSON header bytes";
    case Stage::content: return std::to_string(buffer_.size()) + " of " + std::to_string(content_len_) + " content bytes";
    case Stage::done: break;
    }
    return "the whole message";
}

}  // namespace app
