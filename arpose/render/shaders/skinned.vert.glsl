#version 330
// Linear blend skinning: each vertex moved by up to four joint matrices, weighted.
// MAX_JOINTS is set by the skinned pass when it compiles this shader (64, 128 or 256).
#define MAX_JOINTS 64
uniform mat4 u_proj;
uniform mat4 u_model;
uniform mat4 u_joints[MAX_JOINTS];
uniform vec2 u_capture_size;   // capture mode only: the float texture's size
uniform bool u_lit;
uniform vec3 u_light_dir;      // direction the light travels, world space (y down, z away)
in vec3 in_pos;
in vec3 in_normal;
in vec2 in_uv;
in vec4 in_joints;
in vec4 in_weights;
out vec3 v_world;
out vec3 v_normal;
out vec2 v_uv;
out vec4 v_color;
out vec2 v_light;              // diffuse factor and specular term (the mesh pass's model)

mat4 skin_matrix() {
    return in_weights.x * u_joints[int(in_joints.x + 0.5)]
         + in_weights.y * u_joints[int(in_joints.y + 0.5)]
         + in_weights.z * u_joints[int(in_joints.z + 0.5)]
         + in_weights.w * u_joints[int(in_joints.w + 0.5)];
}

void main() {
    mat4 m = u_model * skin_matrix();
    vec4 world = m * vec4(in_pos, 1.0);
    v_world = world.xyz;
    v_normal = mat3(m) * in_normal;
    v_light = vec2(0.0);
    if (u_lit) {
        vec3 n = normalize(v_normal);
        vec3 view = normalize(-v_world);        // camera at the origin
        if (dot(n, view) < 0.0) n = -n;         // two-sided: any winding
        vec3 l = normalize(-u_light_dir);
        vec3 h = normalize(l + view);
        v_light = vec2(max(dot(n, l), 0.0), pow(max(dot(n, h), 0.0), 32.0) * 0.25);
    }
    v_uv = in_uv;
    v_color = vec4(1.0);
#ifdef CAPTURE
    // one point per vertex, in row-major order over a float texture: read back by tests
    float x = mod(float(gl_VertexID), u_capture_size.x);
    float y = floor(float(gl_VertexID) / u_capture_size.x);
    gl_Position = vec4((x + 0.5) / u_capture_size.x * 2.0 - 1.0, (y + 0.5) / u_capture_size.y * 2.0 - 1.0, 0.0, 1.0);
    gl_PointSize = 1.0;
#else
    gl_Position = u_proj * world;
#endif
}
