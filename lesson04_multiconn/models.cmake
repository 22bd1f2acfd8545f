# lesson04_multiconn, the "models" half: one uppercase-echo service served six ways, its clients,
# and the bench that compares the six. upper_service.cpp is what they share (this lesson only).
add_library(lesson04_upper_service STATIC upper_service.cpp)
target_link_libraries(lesson04_upper_service PUBLIC netlab_common)

foreach(program
    blocking_server select_server poll_server epoll_server thread_server fork_server
    thread_client multiconn_client multiconn_bench)
  netlab_program(${program} LIBS lesson04_upper_service)
endforeach()
netlab_program(keyboard_threads)
