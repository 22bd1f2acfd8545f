# lesson04_multiconn, the "models" half: one uppercase-echo service served six ways, its clients,
# and the bench that compares the six. upper_service.cpp is the service they share.
foreach(program blocking_server select_server poll_server epoll_server thread_server fork_server)
  netlab_program(${program} SOURCES upper_service.cpp)
endforeach()
foreach(program thread_client multiconn_client multiconn_bench)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${program}.cpp)
    netlab_program(${program} SOURCES upper_service.cpp)
  endif()
endforeach()
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/keyboard_threads.cpp)
  netlab_program(keyboard_threads)
endif()
