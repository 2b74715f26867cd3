#version 330
uniform mat4 u_proj;
uniform mat4 u_model;
uniform mat3 u_normal_matrix;
in vec3 in_pos;
in vec3 in_normal;
in vec2 in_uv;
in vec4 in_color;
out vec3 v_world;
out vec3 v_normal;
out vec2 v_uv;
out vec4 v_color;
void main() {
    vec4 world = u_model * vec4(in_pos, 1.0);
    v_world = world.xyz;
    v_normal = u_normal_matrix * in_normal;
    v_uv = in_uv;
    v_color = in_color;
    gl_Position = u_proj * world;
}
