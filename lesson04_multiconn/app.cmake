# lesson04_multiconn, the "app" half: the application protocol of lecture 002 and the practice
# tasks of lecture 001. Included by CMakeLists.txt (NETLAB_L04_PARTS).
netlab_program(app_server SOURCES app_message.cpp app_python.cpp LIBS nlohmann_json::nlohmann_json)
netlab_program(app_client SOURCES app_message.cpp app_python.cpp LIBS nlohmann_json::nlohmann_json)
netlab_program(decrypt_server SOURCES app_python.cpp LIBS nlohmann_json::nlohmann_json Threads::Threads)
netlab_program(decrypt_client SOURCES app_python.cpp LIBS nlohmann_json::nlohmann_json)
netlab_program(users_server SOURCES app_python.cpp LIBS nlohmann_json::nlohmann_json)
netlab_program(user_client SOURCES app_python.cpp LIBS nlohmann_json::nlohmann_json)
