// users_user.hpp — the User of practice task 2 (lecture 001, «Практика» 2): "information about the
// user (name, age), kept in the attributes of an object of class User". Shared by user_client
// (which sends one) and users_server (which checks and lists them).
//
// On the wire a User is one JSON line:  {"name": "Alice", "age": 30}\n
// Printed, it looks the way a Python dataclass prints:  User(name='Alice', age=30)
#pragma once

#include "app_python.hpp"

#include "common/json.hpp"

#include <stdexcept>
#include <string>

namespace users {

struct User {
    std::string name;
    int age = 0;

    std::string repr() const
    {
        return "User(name=" + app::python_repr(std::string_view(name)) + ", age=" + std::to_string(age) + ")";
    }
    std::string to_line() const { return app::json_dumps(app::Json{{"name", name}, {"age", age}}) + "\n"; }
};

inline constexpr std::size_t kMaxName = 64;  // bytes of UTF-8
inline constexpr int kMaxAge = 150;

// Checks what a client claims; throws std::invalid_argument with the reason.
inline void validate(const User& user)
{
    if (user.name.empty() || user.name.size() > kMaxName)
        throw std::invalid_argument("name must be 1 to " + std::to_string(kMaxName) + " bytes");
    for (unsigned char c : user.name)
        if (c < 0x20 || c == 0x7F)
            throw std::invalid_argument("name must not contain control characters");
    if (user.age < 0 || user.age > kMaxAge)
        throw std::invalid_argument("age must be from 0 to " + std::to_string(kMaxAge));
}

// One line from the wire → a checked User; throws std::invalid_argument.
inline User parse_line(const std::string& line)
{
    app::Json j;
    try {
        j = netlab::parse_json<app::Json>(line);
    } catch (const netlab::JsonTooDeep& e) {
        throw std::invalid_argument(std::string("expected {\"name\": ..., \"age\": ...}: ") + e.what());
    } catch (const netlab::JsonError&) {
        throw std::invalid_argument("not JSON: expected {\"name\": ..., \"age\": ...}");
    }
    if (!j.is_object() || !j.contains("name") || !j.contains("age"))
        throw std::invalid_argument("expected {\"name\": ..., \"age\": ...}, got " + app::json_dumps(j));
    if (!j["name"].is_string())
        throw std::invalid_argument("name must be a string");
    if (!j["age"].is_number_integer() || j["age"].get<long long>() < 0 || j["age"].get<long long>() > kMaxAge)
        throw std::invalid_argument("age must be a whole number from 0 to " + std::to_string(kMaxAge));
    User user{j["name"].get<std::string>(), j["age"].get<int>()};
    validate(user);
    return user;
}

}  // namespace users
